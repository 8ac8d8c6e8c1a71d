"""Restore what `security group harden default` removed, from its backup.

load_backup() distrusts the file (backups.Kind.check: kind, version,
digest; then each rule and template entry: only default groups'
same-group rules and template entries). restore() checks the groups
first (each must still be its project's default), then creates each
rule and template entry that is missing, judging a 409 or a lost answer
from a fresh read; a rule created twice by concurrent restores is kept
once (cloud/twins.py)."""

from xloudclient.audit.rules import is_same_group_rule
from xloudclient.cloud import neutron
from xloudclient.cloud import twins
from xloudclient import harden
from xloudclient.harden import backups
from xloudclient.harden import default_group


def load_backup(path):
    """The backup's data; harden.Refused unless it is one of ours, intact,
    and holds only what `harden default` removes."""
    return check_backup(backups.read(path), path)


def check_backup(data, path):
    """data, when it is one of ours, intact, and holds only what `harden
    default` removes; else harden.Refused."""
    default_group.BACKUP.check(data, path)
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
    return backups.description_problem(item)


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
    if not default_group.is_permissive_template(entry) or entry.get(
            'remote_address_group_id') or entry.get('used_in_non_default_sg'):
        return ('(%s) is not the permissive same-group entry for default '
                'groups' % _short(entry.get('id')))
    return None


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
        row = default_group.row_of(rule['id'], project_id, group_id,
                                   rule['ethertype'])
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
        elif any(_same(rule, r, default_group.MATCH_KEYS) for r in have):
            rows.append(row('already present'))
        elif dry_run:
            rows.append(row('would restore'))
        else:
            body = {'security_group_id': group_id, 'remote_group_id': group_id,
                    'direction': 'ingress', 'ethertype': rule['ethertype'],
                    'project_id': groups[group_id]['project_id']}
            if rule.get('description'):
                body['description'] = rule['description']
            where = default_group.Where(project_id, group_id, rule['id'])
            rows.append(_create(client, default_group.RULES, body, where,
                                have))
    if data['templates']:
        rows += restore_templates(client, data['templates'], dry_run,
                                  _parent_template)
    return rows


def _parent_template(entry):
    """The create request of the permissive same-group template entry."""
    body = {'direction': 'ingress', 'ethertype': entry['ethertype'],
            'remote_group_id': 'PARENT', 'used_in_default_sg': True,
            'used_in_non_default_sg': False}
    if entry.get('description'):
        body['description'] = entry['description']
    return body


def restore_templates(client, templates, dry_run, body_of):
    """Re-create each template entry that is missing (body_of(entry): its
    create request); a Row each, never raising."""
    rows = []
    try:
        present = neutron.list_(client, default_group.TEMPLATES, None,
                                'listing default security group rules')
    except neutron.NeutronError as e:
        present = e
    for entry in templates:
        label = 'template:%s' % entry.get('id', '?')
        row = default_group.row_of(label, '', '', entry['ethertype'])
        if isinstance(present, neutron.NeutronError):
            rows.append(row('failed: %s' % present, True))
        elif any(_same(entry, e, default_group.TEMPLATE_KEYS)
                 for e in present):
            rows.append(row('already present'))
        elif dry_run:
            rows.append(row('would restore'))
        else:
            rows.append(_create(client, default_group.TEMPLATES,
                                body_of(entry),
                                default_group.Where('', '', label), present))
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
    if collection == default_group.RULES:
        return twins.keep_one(
            client, default_group.RULES, created,
            lambda a, b: _same(a, b, default_group.MATCH_KEYS),
            lambda: neutron.list_(client, default_group.RULES, {
                'security_group_id': created['security_group_id']},
                'listing rules of security group %s'
                % created['security_group_id']))
    return twins.keep_one(
        client, default_group.TEMPLATES, created,
        lambda a, b: _same(a, b, default_group.TEMPLATE_KEYS),
        lambda: neutron.list_(client, default_group.TEMPLATES, None,
                              'listing default security group rules'))


def _present(client, collection, body):
    """Whether an item like body exists now (one fresh list)."""
    if collection == default_group.RULES:
        items = neutron.list_(client, default_group.RULES, {
            'security_group_id': body['security_group_id']},
            'listing rules of security group %s'
            % body['security_group_id'])
        return any(_same(body, r, default_group.MATCH_KEYS) for r in items)
    items = neutron.list_(client, default_group.TEMPLATES, None,
                          'listing default security group rules')
    return any(_same(body, e, default_group.TEMPLATE_KEYS) for e in items)
