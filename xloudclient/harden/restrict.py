"""Restrict world-open ingress rules to management sources.

plan() judges "from anywhere" as the audit does (the checks
sg-ingress-ssh-from-world, -sensitive- and -any- over one inventory: single
rules, rules that only together cover the world, address groups holding
world prefixes), leaves the accepted findings alone, and pairs each chosen
rule with its replacements: the same rule (direction, ethertype, protocol,
ports, description) from each management source of its IP version. It
proves on the planned rule set that the audit would report none of them.

apply() creates the replacements (a 409, "already exists", counts), writes
the backup (restrict_restore.py), then deletes the world-open rules:
Neutron cannot update a rule, and creating first means the management
sources never lose access. Rules have nothing to update, so their revision
never moves and If-Match would guard nothing: every delete names one rule
by ID, and after the deletes the replacements are read back and any that
went missing meanwhile is created again.
"""

import dataclasses
import ipaddress
import os

import netaddr

from xloudclient import inert_text
from xloudclient.audit import accepted
from xloudclient.audit import catalog
from xloudclient.audit import inventory as inventory_mod
from xloudclient.audit import reach
from xloudclient.audit import values
from xloudclient.cloud import neutron
from xloudclient.cloud import twins
from xloudclient import harden
from xloudclient.harden import backups

SSH, SENSITIVE, ANY = ('sg-ingress-ssh-from-world',
                       'sg-ingress-sensitive-from-world',
                       'sg-ingress-any-from-world')
CHECKS = (SSH, SENSITIVE, ANY)
NEEDS = ('security_groups', 'security_group_rules', 'address_groups',
         'ports', 'rbac_policies')
RULES = 'security-group-rules'
REMOTES = ('remote_ip_prefix', 'remote_address_group_id')
# What a replacement keeps of the rule it replaces.
KEPT = ('security_group_id', 'direction', 'ethertype', 'protocol',
        'port_range_min', 'port_range_max', 'description')
# What makes two rules the same rule for Neutron (its 409).
MATCH_KEYS = ('direction', 'ethertype', 'protocol', 'port_range_min',
              'port_range_max', 'remote_ip_prefix', 'remote_group_id',
              'remote_address_group_id')


def _version_name(v):
    return 'IPv%d' % v


@dataclasses.dataclass
class Sources:
    """Where the replacements admit from: prefixes per IP version, or one
    address group (with its addresses per version)."""
    prefixes: dict                       # {4: [cidr], 6: [cidr]}
    address_group: dict = None

    def remotes(self, v):
        """The remote fields of the replacements of a rule of version v."""
        if self.address_group is not None:
            return [{'remote_address_group_id': self.address_group['id']}] \
                if self.prefixes.get(v) else []
        return [{'remote_ip_prefix': c} for c in self.prefixes.get(v, ())]

    def text(self, v=None):
        if self.address_group is not None:
            return 'address group %s' % (self.address_group.get('name') or
                                         self.address_group['id'])
        versions = (v,) if v else (4, 6)
        return ', '.join(c for u in versions for c in self.prefixes.get(u,
                                                                        ()))


def prefix_sources(cidrs):
    """Sources from --to values; harden.Refused for a value that is no
    prefix, or a set of them that is world-wide or public-space-wide."""
    prefixes = {}
    for value in cidrs:
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise harden.Refused('--to %s is not an IPv4 or IPv6 prefix '
                                 '(e.g. 10.20.0.0/16): nothing was changed'
                                 % neutron.bounded(value, 60))
        text = str(net)
        if text not in prefixes.setdefault(net.version, []):
            prefixes[net.version].append(text)
    _refuse_public(prefixes, '--to %s' % ' '.join(cidrs))
    return Sources(prefixes)


def _refuse_public(prefixes, what):
    for v, cidrs in prefixes.items():
        covered = netaddr.IPSet(cidrs)
        if reach.PUBLIC[v].issubset(covered) or any(
                ipaddress.ip_network(c).prefixlen == 0 for c in cidrs):
            raise harden.Refused(
                '%s admits all of %s space from anywhere: that restricts '
                'nothing; give management or bastion prefixes, nothing was '
                'changed' % (neutron.bounded(what, 120), _version_name(v)))


def find_address_group(client, ref):
    """The address group named or with ID ref (its addresses too)."""
    try:
        return neutron.find(client, 'address-groups', ref)
    except neutron.NeutronError as e:
        raise harden.Refused('%s: nothing was changed' % e)


def address_group_sources(group):
    """Sources from an address group (a dict with its addresses)."""
    prefixes = {}
    for value in group.get('addresses') or ():
        try:
            net = values.network(value).cidr
        except values.Unreadable as e:
            raise harden.Refused('address group %s: %s; nothing was changed'
                                 % (group.get('name') or group['id'], e))
        prefixes.setdefault(net.version, []).append(str(net))
    if not prefixes:
        raise harden.Refused('address group %s holds no address: rules from '
                             'it would admit nothing; nothing was changed'
                             % (group.get('name') or group['id']))
    _refuse_public(prefixes, 'address group %s' % (group.get('name') or
                                                   group['id']))
    return Sources(prefixes, group)


@dataclasses.dataclass
class Replacement:
    """One world-open rule and the rules that take its place."""
    rule: dict
    bodies: list                 # create requests of its replacements
    group_project: str = ''      # the project of the rule's group


@dataclasses.dataclass
class GroupPlan:
    group: dict
    replacements: list
    ports: int = 0               # ports using the group (blast radius)
    port_projects: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class RestrictPlan:
    groups: list                 # GroupPlans, by project and group name
    accepted: list               # (rule, why it stays)
    sources: Sources
    known_rules: frozenset       # rule IDs that existed at plan time

    @property
    def replacements(self):
        return [r for g in self.groups for r in g.replacements]


def group_names(client, group_ids):
    """{group ID: name} (one list; a courtesy: {} when it fails)."""
    try:
        found = neutron.list_by_ids(client, 'security_groups', group_ids)
    except Exception:
        return {}
    return {i: g.get('name') or '' for i, g in found.items()}


def read_inventory(client, project_ids, endorsements):
    """What plan() reads: one list per type (project_ids None: every
    project), with the endorsements the command read from Keystone."""
    scope = project_ids
    if project_ids is not None and len(project_ids) == 1:
        scope = project_ids[0]
    return inventory_mod.fetch(client, NEEDS, scope,
                               endorsements=endorsements)


def found_rules(inventory, settings, checks):
    """{rule ID: [check IDs]}: the rules the given checks report as open
    from anywhere, and the Findings themselves."""
    by_rule, findings = {}, []
    for check in catalog.select(checks):
        for finding in check.run(inventory, settings):
            findings.append(finding)
            by_rule.setdefault(finding.resource_id, []).append(check.id)
    return by_rule, findings


def select(inventory, settings, checks, rule_ids=()):
    """({rule ID: [check IDs]} to restrict, [(rule, why it stays)]): the
    world-open rules the checks report (only those named in rule_ids, when
    given), without the ones an endorsed, unexpired decision covers.
    harden.Refused names a rule that is not in scope or not open from
    anywhere."""
    by_rule, findings = found_rules(inventory, settings, checks)
    for rule_id in rule_ids:
        if rule_id not in inventory.rules_by_id:
            raise harden.Refused('no security group rule %s in scope: '
                                 'nothing was changed'
                                 % neutron.bounded(rule_id, 80))
        if rule_id not in by_rule:
            raise harden.Refused(
                'security group rule %s is not open from anywhere by the '
                'checks %s: nothing to restrict, nothing was changed'
                % (rule_id, ', '.join(checks)))
    _, quiet = accepted.split(findings, inventory, settings.today)
    kept = {}
    for finding, decision in quiet:
        kept.setdefault(finding.resource_id, 'accepted (%s) until %s by %s'
                        % (finding.check, decision.review_by.isoformat(),
                           decision.granted_by or '?'))
    chosen = {i: c for i, c in by_rule.items()
              if (not rule_ids or i in rule_ids) and i not in kept}
    return chosen, [(inventory.rules_by_id[i], why)
                    for i, why in sorted(kept.items())
                    if not rule_ids or i in rule_ids]


def replacement_bodies(rule, group, sources):
    """The create requests of a rule's replacements; harden.Refused when no
    source has the rule's IP version."""
    v = reach.version(rule)
    remotes = sources.remotes(v)
    if not remotes:
        raise harden.Refused(
            'security group rule %s is %s and no %s source was given: add '
            '--to <%s prefix> (or leave the rule out); nothing was changed'
            % (rule['id'], _version_name(v), _version_name(v),
               _version_name(v)))
    base = {k: rule.get(k) for k in KEPT if rule.get(k) is not None}
    # the rule's own project (its creator's: an admin's, for a rule an
    # admin made in a project's group), so that a restore is exact
    base['project_id'] = rule.get('project_id') or group.get('project_id')
    return [dict(base, **remote) for remote in remotes]


def _refuse_invisible(inventory, sources, groups):
    """An address group must belong to, or be shared with, the project of
    every group it is used in."""
    ag = sources.address_group
    if ag is None:
        return
    shared = {p.get('target_tenant') for p in inventory.rbac_policies
              if p.get('object_type') == 'address_group' and
              p.get('object_id') == ag['id']}
    for group in groups:
        project = group.get('project_id')
        if project != ag.get('project_id') and not shared & {project, '*'}:
            raise harden.Refused(
                'address group %s belongs to project %s and is not shared '
                'with project %s (security group %s): share it or pick '
                'another; nothing was changed' % (
                    ag.get('name') or ag['id'], ag.get('project_id'),
                    project, group.get('name') or group['id']))


def plan(inventory, settings, checks, sources, rule_ids=()):
    """The RestrictPlan over one inventory (see select): per group, the
    rules replaced, their replacements and the blast radius. harden.Refused
    when a source does not fit or the planned rules would still be open
    from anywhere; nothing has changed then."""
    if not inventory.has_extension('security-group'):
        raise harden.Refused('the cloud lacks the Neutron extension '
                             'security-group: it has no rules to restrict '
                             '(and filters nothing); nothing was changed')
    chosen, kept = select(inventory, settings, checks, rule_ids)
    groups = {}
    for rule_id in sorted(chosen):
        rule = inventory.rules_by_id[rule_id]
        group = inventory.groups_by_id.get(rule['security_group_id']) or {
            'id': rule['security_group_id'],
            'project_id': rule.get('project_id')}
        groups.setdefault(group['id'], GroupPlan(group, [])).replacements \
            .append(Replacement(rule,
                                replacement_bodies(rule, group, sources),
                                group.get('project_id') or ''))
    _refuse_invisible(inventory, sources, [g.group for g in groups.values()])
    result = RestrictPlan(
        sorted(groups.values(), key=lambda g: (
            g.group.get('project_id') or '', g.group.get('name') or '',
            g.group['id'])), kept, sources,
        frozenset(inventory.rules_by_id))
    _blast_radius(inventory, result.groups)
    prove(inventory, settings, checks, result)
    return result


def _blast_radius(inventory, groups):
    wanted = {g.group['id']: g for g in groups}
    projects = {g: set() for g in wanted}
    for port in inventory.ports:
        for sg in set(port.get('security_groups') or ()) & set(wanted):
            wanted[sg].ports += 1
            projects[sg].add(port.get('project_id') or '')
    for sg, g in wanted.items():
        g.port_projects = sorted(projects[sg])


def prove(inventory, settings, checks, restrict_plan):
    """harden.Refused unless the checks, run over the rules as they will be
    (the replaced ones gone, the replacements in), report none of the
    replacements: the sources must not open the group from anywhere,
    alone or together with the rules left."""
    replaced = {r.rule['id'] for r in restrict_plan.replacements}
    planned = [r for r in inventory.security_group_rules
               if r['id'] not in replaced]
    origin = {}
    for r in restrict_plan.replacements:
        for i, body in enumerate(r.bodies):
            origin['planned:%s:%d' % (r.rule['id'], i)] = r.rule['id']
            planned.append(dict(body, id='planned:%s:%d'
                                % (r.rule['id'], i)))
    groups = list(inventory.address_groups)
    source = restrict_plan.sources.address_group
    if source is not None and source['id'] not in inventory.by_type(
            'address_groups'):
        groups.append(source)       # another project's, shared: judged too
    after = inventory_mod.Inventory(
        security_groups=inventory.security_groups,
        security_group_rules=planned, address_groups=groups,
        extensions=inventory.extensions)
    by_rule, _ = found_rules(after, settings, checks)
    still = sorted({origin[i] for i in by_rule if i in origin})
    if still:
        raise harden.Refused(
            'with %s, the replacement of rule %s would still be open from '
            'anywhere (with the rules the group keeps): give narrower '
            'sources; nothing was changed' % (
                restrict_plan.sources.text(), ', '.join(still[:3])))


# --- backup -------------------------------------------------------

BACKUP = backups.Kind(
    'xloudclient-security-group-restrict-backup', 'security group restrict',
    'restrict-sg', 1, {'rules': list, 'sources': dict}, ('sources', 'rules'),
    unread='nothing was changed')


def _sources(sources):
    ag = sources.address_group
    return {'prefixes': {str(v): list(c) for v, c in
                         sorted(sources.prefixes.items())},
            'address_group_id': ag['id'] if ag else None}


def backup_body(restrict_plan, results):
    """What the backup of the planned rules that have a replacement
    holds (BACKUP.write writes it)."""
    entries = []
    for r in restrict_plan.replacements:
        made, _ = results[r.rule['id']]
        if made:
            entries.append({'rule': r.rule, 'replacements': [
                dict({k: m.body[k] for k in REMOTES if k in m.body},
                     id=m.rule_id, created=m.created) for m in made]})
    return {'sources': _sources(restrict_plan.sources), 'rules': entries}


# --- apply -------------------------------------------------------

@dataclasses.dataclass
class Made:
    """A replacement in the cloud: its ID and whether this run made it."""
    rule_id: str
    created: bool
    body: dict


def same_rule(a, b):
    return all((a.get(k) or None) == (b.get(k) or None) for k in MATCH_KEYS)


def _group_rules(client, group_id):
    return neutron.list_(client, RULES, {'security_group_id': group_id},
                         'listing rules of security group %s' % group_id)


def _existing(client, body):
    """The rule like body in its group now, or None (one fresh list)."""
    return next((r for r in _group_rules(client, body['security_group_id'])
                 if same_rule(body, r)), None)


def create_replacement(client, body, known):
    """Made for one replacement, or raise the error that stopped it. A
    409, or an answer lost after the create landed, is judged from a
    fresh read: a rule that was not there at plan time (known) was made
    by this run."""
    budget = neutron.ErrorBudget()
    while True:
        try:
            made = neutron.create(client, RULES, body,
                                  'creating the restricted rule')
            kept = twins.keep_one(
                client, RULES, made, same_rule,
                lambda: _group_rules(client, body['security_group_id']))
            return Made(kept['id'], kept['id'] not in known, body)
        except Exception as e:
            if neutron.is_refusal(e):
                raise
            try:
                there = _existing(client, body)
            except Exception as again:
                there, e = None, again
            if there is not None:
                return Made(there['id'], there['id'] not in known, body)
            if budget.spent(e):
                raise e     # the read's error, if the fresh read failed


def create_all(client, restrict_plan):
    """{rule ID: ([Made], error or None)} for every planned rule: its
    replacements, created in order until one fails."""
    results = {}
    for r in restrict_plan.replacements:
        made, error = [], None
        for body in r.bodies:
            try:
                made.append(create_replacement(
                    client, body, restrict_plan.known_rules))
            except Exception as e:
                error = e
                break
        results[r.rule['id']] = (made, error)
    return results


def delete_replaced(client, restrict_plan, results):
    """Delete each world-open rule whose replacements all exist; a Row
    each, never raising."""
    rows = []
    for r in restrict_plan.replacements:
        made, error = results[r.rule['id']]
        row = row_maker(r.rule, [m.rule_id for m in made],
                        r.group_project)
        if error is not None:
            rows.append(row('failed: %s; the rule is kept' % (
                neutron.describe(error)), True))
            continue
        try:
            neutron.retried(neutron.delete, client, RULES, r.rule['id'],
                            'deleting rule %s' % r.rule['id'])
        except Exception as e:
            rows.append(row('failed: %s; both rules are in place' %
                            neutron.describe(e), True))
            continue
        rows.append(row('replaced'))
    return rows


def row_maker(rule, new_ids, project_id=None):
    """Rows about one rule, in its group's project (a rule's own project
    is whoever created it: an admin, for a rule in another project's
    group)."""
    def row(action, failed=False):
        return harden.Row(rule['id'], action, failed,
                          project_id or rule.get('project_id') or '',
                          rule['security_group_id'], rule=rule,
                          made=list(new_ids))
    return row


def ensure_present(client, bodies):
    """Create again any of bodies missing from its group now (a
    concurrent restore removed it): [(body, new ID or error)]."""
    fixed, by_group = [], {}
    for body in bodies:
        group = body['security_group_id']
        if group not in by_group:
            by_group[group] = neutron.retried(_group_rules, client, group)
        if any(same_rule(body, r) for r in by_group[group]):
            continue
        try:
            fixed.append((body, create_replacement(client, body,
                                                   frozenset()).rule_id))
        except Exception as e:
            fixed.append((body, e))
    return fixed


def apply(client, restrict_plan, path, now):
    """(Rows, backup path): create every replacement, write the backup,
    delete the world-open rules whose replacements exist, read the
    replacements back. A backup that cannot be written undoes the
    creates and deletes nothing (harden.Refused). path None: the
    default path."""
    path = path or BACKUP.default_path(now)
    if os.path.lexists(path):
        raise harden.Refused('backup file %s already exists; not '
                             'overwriting it: nothing was changed' % path)
    results = create_all(client, restrict_plan)
    try:
        path = BACKUP.write(path, backup_body(restrict_plan, results), now)
    except harden.Refused as e:
        undone = _undo_creates(client, results)
        raise harden.Refused('%s; %s' % (e, undone))
    rows = delete_replaced(client, restrict_plan, results)
    done = [m.body for r in rows if not r.failed
            for m in results[r.item][0]]
    try:
        fixed = ensure_present(client, done)
    except Exception as e:
        for r in rows:
            if not r.failed:
                r.action += '; not read back (%s)' % neutron.describe(e)
                r.failed = True
        return rows, path
    _note_fixed(rows, results, fixed)
    return rows, path


def _undo_creates(client, results):
    made = [m.rule_id for ms, _ in results.values() for m in ms
            if m.created]
    left = []
    for rule_id in made:
        try:
            neutron.retried(neutron.delete, client, RULES, rule_id)
        except Exception:
            left.append(rule_id)
    if left:
        return 'the restricted rules %s it created are still there: ' \
            'delete them with `openstack security group rule delete %s`' \
            % (', '.join(left), ' '.join(left))
    return 'the %d restricted rule(s) it created were deleted again' \
        % len(made)


def _note_fixed(rows, results, fixed):
    """Note on each row a replacement created again, or one that could
    not be."""
    for body, outcome in fixed:
        row = next(r for r in rows if any(
            m.body is body for m in results[r.item][0]))
        if isinstance(outcome, Exception):
            row.action = 'failed: a restricted rule was removed meanwhile ' \
                'and not created again (%s)' % neutron.describe(outcome)
            row.failed = True
        else:
            row.made.append(outcome)
            row.action += '; a restricted rule removed meanwhile was ' \
                'created again'


def would(restrict_plan):
    """The rows of a dry run."""
    rows = []
    for r in restrict_plan.replacements:
        remotes = [b.get('remote_ip_prefix') or 'address group %s'
                   % b.get('remote_address_group_id') for b in r.bodies]
        rows.append(row_maker(r.rule, [], r.group_project)(
            'would replace with %s' % ', '.join(remotes)))
    return rows


def failures(rows, again):
    """'' when no row failed; else the line that names them and the
    command that finishes (again: its argv before the rule IDs)."""
    failed = [r for r in rows if r.failed]
    if not failed:
        return ''
    return '%d of %d rules failed to restrict (%s%s); finish with `%s`' % (
        len(failed), len(rows), '; '.join(
            '%s: %s' % (r.item, r.action) for r in failed[:2]),
        '; ...' if len(failed) > 2 else '',
        inert_text.command(*(list(again) + [r.item for r in failed])))
