"""Restore what `security group harden restrict` replaced, from its backup.

The backup (restrict.backup_body) holds, per world-open rule, the rule
itself and its replacements (ID, remote, and whether the restrict created
it or found it there). check_backup() distrusts it: the digest, and only
world-open ingress rules with replacements from the recorded sources.
restore() checks it against the cloud first (every replacement still
there must be the restricted copy of its rule), puts each world-open rule
back, then deletes only the replacements the restrict created, by ID;
finally it reads the rules back and creates again any original a
concurrent restrict removed meanwhile.
"""

import ipaddress

from xloudclient.audit import reach
from xloudclient.cloud import neutron
from xloudclient.harden import restrict
from xloudclient import harden
from xloudclient.harden import backups

REMOTES = restrict.REMOTES


def is_ours(data):
    return isinstance(data, dict) and \
        data.get('format') == restrict.BACKUP.format


def check_backup(data, path):
    """data, when it is an intact restrict backup that holds only
    world-open ingress rules and their replacements; else harden.Refused."""
    def refuse(why):
        raise harden.Refused('%s %s: refusing it, nothing was '
                             'changed' % (path, why))

    restrict.BACKUP.check(data, path)
    prefixes = _source_prefixes(data['sources'])
    if prefixes is None:
        refuse('has damaged sources')
    for i, entry in enumerate(data['rules']):
        problem = _entry_problem(entry, prefixes,
                                 data['sources'].get('address_group_id'))
        if problem:
            refuse('entry %d %s' % (i + 1, problem))
    return data


def _source_prefixes(sources):
    prefixes = sources.get('prefixes')
    if not isinstance(prefixes, dict):
        return None
    found = set()
    for cidrs in prefixes.values():
        if not isinstance(cidrs, list) or not all(
                isinstance(c, str) for c in cidrs):
            return None
        found.update(cidrs)
    ag = sources.get('address_group_id')
    if ag is not None and not isinstance(ag, str):
        return None
    return found


def _entry_problem(entry, prefixes, ag):
    if not isinstance(entry, dict) or not isinstance(entry.get('rule'),
                                                     dict):
        return 'is not an object with a rule'
    problem = _rule_problem(entry['rule'])
    if problem:
        return problem
    made = entry.get('replacements')
    if not isinstance(made, list) or not made:
        return 'names no replacement rule'
    for m in made:
        if not isinstance(m, dict) or not isinstance(m.get('id'), str) or \
                not isinstance(m.get('created'), bool):
            return 'has a replacement that is not an object with an id'
        if m.get('remote_ip_prefix') not in prefixes and (
                ag is None or m.get('remote_address_group_id') != ag):
            return 'has a replacement from outside the backup\'s sources'
    return None


def _rule_problem(rule):
    """Why rule is not a world-open ingress rule restrict replaces."""
    for key in ('id', 'security_group_id'):
        if not isinstance(rule.get(key), str) or not rule[key]:
            return 'has no %s' % key
    if rule.get('direction') != 'ingress' or rule.get('ethertype') not in (
            'IPv4', 'IPv6') or rule.get('remote_group_id'):
        return '(%s) is not an ingress rule from addresses' % rule['id']
    for key in ('port_range_min', 'port_range_max'):
        value = rule.get(key)
        if value is not None and (type(value) is not int or
                                  not 0 <= value <= 65535):
            return 'has a %s that is not a port' % key
    for key in ('protocol', 'project_id', 'remote_address_group_id'):
        if rule.get(key) is not None and not isinstance(rule[key], str):
            return 'has a %s that is not text' % key
    problem = backups.description_problem(rule)
    if problem:
        return problem
    prefix = rule.get('remote_ip_prefix')
    if prefix is not None:
        try:
            net = ipaddress.ip_network(prefix, strict=False)
        except (ValueError, TypeError):
            return 'has a remote_ip_prefix that is no prefix'
        if net.version != reach.version(rule):
            return 'has a remote_ip_prefix of the other IP version'
        if not reach.touches_public(str(net)):
            return '(%s) admits no public address: restrict never ' \
                'replaced it' % rule['id']
    return None


# --- restore -------------------------------------------------------

def original_body(rule, group):
    """The create request that puts a world-open rule back."""
    body = {k: rule[k] for k in restrict.KEPT + REMOTES
            if rule.get(k) is not None}
    body['project_id'] = rule.get('project_id') or group.get('project_id')
    return body


def _read(client, data):
    """({group ID: group}, {group ID: [rules now]}) of the backup's
    groups; harden.Refused (nothing changed) if they cannot be read."""
    ids = {e['rule']['security_group_id'] for e in data['rules']}
    try:
        groups = neutron.list_by_ids(client, 'security_groups', ids)
        rules, _ = neutron.list_type(
            client, 'security_group_rules',
            {'security_group_id': sorted(ids)}) if ids else ([], 0)
    except neutron.ListingError as e:
        raise harden.Refused('%s; nothing was changed' % e)
    by_group = {}
    for rule in rules:
        by_group.setdefault(rule['security_group_id'], []).append(rule)
    return groups, by_group


def _refuse_foreign(data, by_group, path):
    """harden.Refused unless every replacement the backup names, where it
    still exists, is the restricted copy of its rule (same group, same
    protocol and ports, the remote the backup recorded)."""
    now = {r['id']: r for rules in by_group.values() for r in rules}
    for entry in data['rules']:
        rule = entry['rule']
        for m in entry['replacements']:
            there = now.get(m['id'])
            if there is None:
                continue
            copy = dict(rule, remote_ip_prefix=m.get('remote_ip_prefix'),
                        remote_address_group_id=m.get(
                            'remote_address_group_id'))
            if there.get('security_group_id') != rule[
                    'security_group_id'] or not restrict.same_rule(copy,
                                                                   there):
                raise harden.Refused(
                    '%s names rule %s as the restricted copy of rule %s, '
                    'but it is not: refusing it, nothing was changed'
                    % (path, m['id'], rule['id']))


def restore(client, data, path, dry_run=False):
    """Put the backup's world-open rules back, then delete the
    replacements the restrict created; a Row per rule, never raising
    after the checks (harden.Refused before anything changes)."""
    groups, by_group = _read(client, data)
    _refuse_foreign(data, by_group, path)
    rows = []
    for entry in data['rules']:
        rows.append(_restore_one(client, entry, groups, by_group, dry_run))
    if not dry_run:
        _put_back_lost(client, data, groups, rows)
    return rows


def _restore_one(client, entry, groups, by_group, dry_run):
    rule = entry['rule']
    created = [m['id'] for m in entry['replacements'] if m['created']]
    group = groups.get(rule['security_group_id'])
    row = restrict.row_maker(rule, created, (group or {}).get('project_id'))
    if group is None:
        return row('failed: security group %s no longer exists'
                   % rule['security_group_id'], True)
    body = original_body(rule, group)
    now = by_group.get(group['id'], ())
    present = any(restrict.same_rule(body, r) for r in now)
    # only a replacement in the rule's group now is deleted: an ID the
    # group does not hold is gone (IDs are never reused), or a rule of
    # another group that a changed backup names
    there = {r['id'] for r in now}
    gone = len([i for i in created if i not in there])
    created = [i for i in created if i in there]
    if dry_run:
        return row('%s; would delete %d restricted rule(s)%s' % (
            'already present' if present else 'would restore',
            len(created), _gone(gone)))
    if not present:
        try:
            restrict.create_replacement(client, body, frozenset())
        except Exception as e:
            return row('failed: %s; the restricted rules are kept'
                       % neutron.describe(e), True)
    return _delete_created(client, row, created, present, gone)


def _gone(count):
    return ' (%d already gone)' % count if count else ''


def _delete_created(client, row, created, present, gone):
    deleted = 0
    for rule_id in created:
        try:
            deleted += neutron.retried(
                neutron.delete, client, restrict.RULES, rule_id,
                'deleting restricted rule %s' % rule_id)
        except Exception as e:
            return row('failed: %s; the rule is back, the restricted rule '
                       '%s is kept' % (neutron.describe(e), rule_id), True)
    return row('%s; %d restricted rule(s) deleted%s' % (
        'already present' if present else 'restored', deleted,
        _gone(gone + len(created) - deleted)))


def _put_back_lost(client, data, groups, rows):
    """Read the rules back: an original a concurrent restrict deleted
    meanwhile is created again (its row says so)."""
    bodies = [(original_body(e['rule'], groups[e['rule'][
        'security_group_id']]), row) for e, row in zip(data['rules'], rows)
        if not row.failed]
    try:
        fixed = restrict.ensure_present(client, [b for b, _ in bodies])
    except Exception as e:
        for _, row in bodies:
            row.action += '; not read back (%s)' % neutron.describe(e)
            row.failed = True
        return
    for body, outcome in fixed:
        row = next(r for b, r in bodies if b is body)
        if isinstance(outcome, Exception):
            row.action = 'failed: removed meanwhile and not created again ' \
                '(%s)' % neutron.describe(outcome)
            row.failed = True
        else:
            row.action += '; created again (removed meanwhile)'
