"""Harden projects' default security groups, with a backup and a way back.

plan() reads (one list per resource type) and decides; backup_body()
saves every rule and template entry that apply() will delete; apply()
deletes exactly those (each delete guarded by the rule's revision);
restore() re-creates what a backup holds and is missing.
"""

import collections
import dataclasses
import datetime

from xloudclient.audit.rules import is_same_group_rule
from xloudclient.cloud import neutron
from xloudclient.cloud import twins
from xloudclient import harden
from xloudclient.harden import backups

MAX_DESCRIPTION = 255       # Neutron's own limit
TEMPLATE_EXTENSION = 'security-groups-default-rules'
TEMPLATES = 'default-security-group-rules'
RULES = 'security-group-rules'
MATCH_KEYS = ('direction', 'ethertype', 'protocol', 'port_range_min',
              'port_range_max', 'remote_ip_prefix', 'remote_group_id',
              'remote_address_group_id')
TEMPLATE_KEYS = MATCH_KEYS + ('used_in_default_sg', 'used_in_non_default_sg')


@dataclasses.dataclass
class ProjectPlan:
    project_id: str
    group: dict                 # None: the project has no default group yet
    rules: list                 # full rule dicts to delete
    ports_using: int = 0
    ports_only_default: int = 0


def is_permissive_template(entry):
    return (entry.get('direction') == 'ingress'
            and entry.get('remote_group_id') == 'PARENT'
            and entry.get('protocol') in (None, '', 'any')
            and entry.get('port_range_min') is None
            and entry.get('port_range_max') is None
            and not entry.get('remote_ip_prefix')
            and entry.get('used_in_default_sg'))


def plan(client, project_ids=None):
    """ProjectPlans for the given projects (None: every project)."""
    filters = {'name': 'default'}
    if project_ids is not None:
        filters['project_id'] = list(project_ids)
    groups, _ = neutron.list_type(client, 'security_groups',
                                  filters)
    rule_filters = {'direction': 'ingress'}
    port_filters = {}
    if project_ids is not None:
        rule_filters['project_id'] = list(project_ids)
        port_filters['project_id'] = list(project_ids)
    rules, _ = neutron.list_type(client, 'security_group_rules',
                                 rule_filters, neutron.WHOLE)
    ports, _ = neutron.list_type(client, 'ports', port_filters)
    by_group = {}
    for rule in rules:
        by_group.setdefault(rule.get('security_group_id'), []).append(rule)
    plans = {}
    for group in groups:
        permissive = [r for r in by_group.get(group['id'], [])
                      if is_same_group_rule(r)]
        using = [p for p in ports if group['id'] in
                 (p.get('security_groups') or ())]
        plans[group['project_id']] = ProjectPlan(
            group['project_id'], group,
            sorted(permissive, key=lambda r: (r['ethertype'], r['id'])),
            len(using),
            sum(1 for p in using if len(p['security_groups']) == 1))
    for project_id in project_ids or ():
        plans.setdefault(project_id, ProjectPlan(project_id, None, []))
    return [plans[k] for k in sorted(plans)]


def plan_templates(client):
    """(template entries to delete, all entries); harden.Refused if absent."""
    if TEMPLATE_EXTENSION not in neutron.extensions(client):
        raise harden.Refused(
            'the cloud lacks the %s extension: there is no default '
            'security group rule template to harden (leave out --template '
            'to harden the projects\' groups); nothing was changed'
            % TEMPLATE_EXTENSION)
    entries = neutron.list_(client, TEMPLATES, None,
                            'listing default security group rules')
    return [e for e in entries if is_permissive_template(e)], entries


# --- backup -------------------------------------------------------

# Version 2 has a digest; 1 is still read.
BACKUP = backups.Kind(
    'xloudclient-default-security-group-backup', 'default security group',
    'default-sg', 2, {'rules': list, 'templates': list},
    ('projects', 'rules', 'templates'), older=(1,), digest_since=2)


def backup_body(plans, templates):
    """What the backup of the plans holds (BACKUP.write writes it)."""
    return {
        'projects': [{'project_id': p.project_id,
                      'security_group_id': p.group['id']}
                     for p in plans if p.group and p.rules],
        'rules': [r for p in plans for r in p.rules],
        'templates': list(templates),
    }


def load_backup(path):
    """The backup's data; harden.Refused unless it is one of ours, intact,
    and holds only what `harden default` removes."""
    return check_backup(backups.read(path), path)


def check_backup(data, path):
    """data, when it is one of ours, intact, and holds only what `harden
    default` removes; else harden.Refused."""
    BACKUP.check(data, path)
    rules, templates = data['rules'], data['templates']
    for i, rule in enumerate(rules):
        problem = _rule_problem(rule)
        if problem:
            raise harden.Refused('%s: rule %d %s; a harden backup holds only '
                                 "default groups' same-group rules: refusing "
                                 'it, nothing was created' % (path, i + 1,
                                                              problem))
    for i, entry in enumerate(templates):
        problem = _template_problem(entry)
        if problem:
            raise harden.Refused('%s: template entry %d %s; refusing it, '
                                 'nothing was created'
                                 % (path, i + 1, problem))
    return data


def _short(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _text_fields_problem(item, keys):
    for key in keys:
        if not isinstance(item.get(key), str):
            return 'has no %s' % key
    if item.get('ethertype') not in ('IPv4', 'IPv6'):
        return 'has ethertype %s' % _short(item.get('ethertype'))
    description = item.get('description')
    if description is not None and (not isinstance(description, str) or
                                    len(description) > MAX_DESCRIPTION):
        return 'has a description that is not text of at most %d ' \
            'characters' % MAX_DESCRIPTION
    return None


def _rule_problem(rule):
    """Why rule is not a same-group rule that harden removes, or None."""
    if not isinstance(rule, dict):
        return 'is not an object'
    problem = _text_fields_problem(
        rule, ('id', 'security_group_id', 'direction', 'ethertype'))
    if problem:
        return problem
    if not is_same_group_rule(rule) or rule.get('remote_address_group_id'):
        return ('(%s) is not a same-group ingress rule of any protocol'
                % _short(rule['id']))
    if rule.get('project_id') is not None and not isinstance(
            rule['project_id'], str):
        return 'has a project_id that is not text'
    return None


def _template_problem(entry):
    if not isinstance(entry, dict):
        return 'is not an object'
    problem = _text_fields_problem(entry, ('direction', 'ethertype'))
    if problem:
        return problem
    if not is_permissive_template(entry) or entry.get(
            'remote_address_group_id') or entry.get('used_in_non_default_sg'):
        return ('(%s) is not the permissive same-group entry for default '
                'groups' % _short(entry.get('id')))
    return None


# --- apply -------------------------------------------------------

def would(plans, templates):
    """The rows of a dry run: everything the plan would delete."""
    return [_row_of(r['id'], p.project_id, p.group['id'], r['ethertype'])(
        'would delete') for p in plans if p.group for r in p.rules] + [
            _row_of('template:' + t['id'], '', '', t['ethertype'])(
                'would delete') for t in templates]


def apply(client, plans, templates):
    """Delete exactly the planned rules and template entries."""
    rows = []
    for p in plans:
        if p.group is None:
            rows.append(harden.Row('', 'no default group yet',
                                   project_id=p.project_id))
            continue
        if not p.rules:
            rows.append(harden.Row('', 'unchanged (already hardened)',
                                   project_id=p.project_id,
                                   group_id=p.group['id']))
            continue
        for rule in p.rules:
            rows.append(_delete_rule(client, p, rule))
    for entry in templates:
        rows.append(_delete(client, TEMPLATES, entry,
                            _Where('', '', 'template:' + entry['id'])))
    return rows


def _delete_rule(client, p, rule):
    return _delete(client, RULES, rule,
                   _Where(p.project_id, p.group['id'], rule['id']))


class _Where(collections.namedtuple('_Where', 'project_id group_id label')):
    """Where a delete or create acts, as its Row names it."""

    def row(self, ethertype):
        """harden.Row(action, failed=False) of this item."""
        return _row_of(self.label, self.project_id, self.group_id,
                       ethertype)


def _row_of(item, project_id, group_id, ethertype):
    def row(action, failed=False):
        return harden.Row(item, action, failed, project_id, group_id,
                          ethertype)
    return row


def _delete(client, collection, item, where):
    """Delete one rule or template entry; report, never raise.

    No If-Match: rules and template entries have no attribute that can be
    updated, so their revision never moves and a guard would guard nothing;
    the delete names one exact rule by ID.
    """
    row = where.row(item.get('ethertype', ''))
    try:
        if not neutron.delete(client, collection, item['id'],
                              'deleting %s' % where.label):
            return row('already gone')
    except Exception as e:  # a refusal or a transport failure: go on
        return row('failed: %s' % neutron.describe(e), True)
    return row('deleted')


# --- restore -------------------------------------------------------

def _same(a, b, keys):
    return all((a.get(k) or None) == (b.get(k) or None) for k in keys)


def _default_groups(client, rules):
    """{group id: group} for the groups the rules belong to; harden.Refused
    (before anything is created) if one is not its project's default."""
    ids = {r['security_group_id'] for r in rules}
    if not ids:
        return {}
    found = neutron.list_by_ids(client, 'security_groups', ids)
    for rule in rules:
        group = found.get(rule['security_group_id'])
        if group is None:
            continue                  # gone: reported per rule
        if group.get('name') != 'default' or (
                rule.get('project_id') and
                rule['project_id'] != group.get('project_id')):
            raise harden.Refused(
                'the backup puts rule %s in security group %s, which is not '
                "the default group of project %s: refusing it, nothing was "
                'created' % (rule['id'], group['id'],
                             rule.get('project_id') or '?'))
    return found


def restore(client, data, dry_run=False):
    """Re-create the backup's rules and template entries that are missing.

    The groups are checked first (each must be its project's default
    group); bodies hold only the fields a same-group rule has.
    """
    try:
        groups = _default_groups(client, data['rules'])
    except neutron.ListingError as e:
        raise harden.Refused('%s; nothing was created' % e)
    rows = []
    existing = {}
    for rule in data['rules']:
        group_id = rule['security_group_id']
        project_id = rule.get('project_id') or ''
        row = _row_of(rule['id'], project_id, group_id, rule['ethertype'])
        if group_id not in groups:
            rows.append(row('failed: security group %s no longer exists'
                            % group_id, True))
            continue
        if group_id not in existing:
            try:
                existing[group_id], _ = neutron.list_type(
                    client, 'security_group_rules',
                    {'security_group_id': group_id}, neutron.WHOLE)
            except neutron.ListingError as e:
                existing[group_id] = e
        have = existing[group_id]
        if isinstance(have, neutron.ListingError):
            rows.append(row('failed: %s' % have, True))
        elif any(_same(rule, r, MATCH_KEYS) for r in have):
            rows.append(row('already present'))
        elif dry_run:
            rows.append(row('would restore'))
        else:
            body = {'security_group_id': group_id, 'remote_group_id': group_id,
                    'direction': 'ingress', 'ethertype': rule['ethertype'],
                    'project_id': groups[group_id]['project_id']}
            if rule.get('description'):
                body['description'] = rule['description']
            rows.append(_create(client, RULES, body,
                                _Where(project_id, group_id, rule['id']),
                                have))
    if data['templates']:
        rows += _restore_templates(client, data['templates'], dry_run)
    return rows


def _restore_templates(client, templates, dry_run):
    rows = []
    try:
        present = neutron.list_(client, TEMPLATES, None,
                                'listing default security group rules')
    except neutron.NeutronError as e:
        present = e
    for entry in templates:
        label = 'template:%s' % entry.get('id', '?')
        row = _row_of(label, '', '', entry['ethertype'])
        if isinstance(present, neutron.NeutronError):
            rows.append(row('failed: %s' % present, True))
        elif any(_same(entry, e, TEMPLATE_KEYS) for e in present):
            rows.append(row('already present'))
        elif dry_run:
            rows.append(row('would restore'))
        else:
            body = {'direction': 'ingress', 'ethertype': entry['ethertype'],
                    'remote_group_id': 'PARENT', 'used_in_default_sg': True,
                    'used_in_non_default_sg': False}
            if entry.get('description'):
                body['description'] = entry['description']
            rows.append(_create(client, TEMPLATES, body,
                                _Where('', '', label), present))
    return rows


def _create(client, collection, body, where, have):
    """Create one rule or template entry; report, never raise.

    A 409 ("already exists") or a lost answer is judged from a fresh read
    of the collection: present means already present, absent a failure.
    """
    row = where.row(body['ethertype'])
    try:
        created = neutron.create(client, collection, body,
                                 'restoring %s' % where.label)
    except Exception as e:
        if neutron.is_refusal(e) and getattr(e, 'status', None) != 409:
            return row('failed: %s' % neutron.describe(e), True)
        try:
            if _present(client, collection, body):
                return row('already present' if getattr(
                    e, 'status', None) == 409 else 'restored')
        except Exception:
            pass
        return row('failed: %s' % neutron.describe(e), True)
    kept = _keep_one(client, collection, created)
    have.append(kept)
    if kept['id'] != created['id']:
        return row('already present')       # another run's, at once
    return row('restored as %s' % created['id'])


def _keep_one(client, collection, created):
    """created, or its twin that another run created at the same moment
    (cloud/twins.py)."""
    if collection == RULES:
        return twins.keep_one(
            client, RULES, created,
            lambda a, b: _same(a, b, MATCH_KEYS),
            lambda: neutron.list_(client, RULES, {
                'security_group_id': created['security_group_id']},
                'listing rules of security group %s'
                % created['security_group_id']))
    return twins.keep_one(
        client, TEMPLATES, created,
        lambda a, b: _same(a, b, TEMPLATE_KEYS),
        lambda: neutron.list_(client, TEMPLATES, None,
                              'listing default security group rules'))


def _present(client, collection, body):
    """Whether an item like body exists now (one fresh list)."""
    if collection == RULES:
        items = neutron.list_(client, RULES, {
            'security_group_id': body['security_group_id']},
            'listing rules of security group %s'
            % body['security_group_id'])
        return any(_same(body, r, MATCH_KEYS) for r in items)
    items = neutron.list_(client, TEMPLATES, None,
                          'listing default security group rules')
    return any(_same(body, e, TEMPLATE_KEYS) for e in items)


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)
