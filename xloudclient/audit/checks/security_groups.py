"""Checks over security groups and their rules."""

from xloudclient.audit import own_ports
from xloudclient.audit import reach
from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import rules
from xloudclient.audit import settings as settings_mod

# Address groups are read when the cloud has them (a rule's remote can be
# one); without the extension the audit says so as a limitation.
NEEDS = ('security_groups', 'security_group_rules', 'address_groups')
EXT = ('security-group',)


def _group(inventory, rule):
    return inventory.groups_by_id.get(rule.get('security_group_id'), {})


def rule_resource(inventory, rule):
    """A rule as a finding's resource: named after its group, in its
    group's project (a rule's own project is its creator's: an admin's,
    for a rule an admin added to a project's group)."""
    group = _group(inventory, rule)
    return {'id': rule['id'],
            'name': '%s rule' % (group.get('name') or
                                 rule.get('security_group_id')),
            'project_id': group.get('project_id') or rule.get('project_id')}


# What the admin replaces with their management or bastion prefixes; as
# given, `harden restrict` refuses it in one line.
MANAGEMENT = '<management-cidr>'


def _rule_hit(inventory, check_id, rule, others, services=()):
    """The Hit of a rule that opens its group from anywhere (with the
    others), letting in the services named, if any. Its fix is the plan
    of `security group harden restrict` for the rule and the others: the
    same rules from management sources, created before the world-open
    ones go; with more others than a finding names, the plan of every
    rule the check reports in the group's project (a command of bounded
    length)."""
    resource = rule_resource(inventory, rule)
    return Hit('security group rule', resource,
               _detail(rule, others,
                       _services(services) if services else ''),
               restrict_command(resource['project_id'] or '',
                                [rule['id']] + list(others), check_id),
               basis=_basis(inventory, rule, others, sorted(services)))


def restrict_command(project, rule_ids, check_ids):
    """`harden restrict` of the rules, or of the checks' rules in the
    project when there are more than a finding names."""
    if len(rule_ids) <= registry.SHOWN:
        which = tuple(rule_ids)
    else:
        which = tuple(a for c in ([check_ids] if isinstance(check_ids, str)
                                  else check_ids) for a in ('--check', c))
    return ('openstack', 'security', 'group', 'harden', 'restrict') + \
        which + ('--project', project, '--to', MANAGEMENT, '--dry-run')


def open_from_anywhere(inventory, select):
    """{rule id: (rule, [other rule ids])}: within each security group,
    the ingress rules chosen by select(entry) that open it from anywhere
    (alone, or together with the others named)."""
    alone, others = reach.by_simplicity(inventory)
    # simple groups: only what opens it alone does
    found = {e.id: (e.rule, []) for e in alone if select(e)}
    for entries in others.values():
        chosen = [e for e in entries if select(e)]
        if chosen:
            found.update(reach.from_anywhere(chosen, inventory))
    return found


def _detail(rule, others, what=''):
    text = rules.describe(rule) + (': %s' % what if what else '')
    if others:
        text += '; from anywhere together with rule%s %s' % (
            's' if len(others) > 1 else '', registry.listing(others))
    return text


def _basis(inventory, rule, others, services=()):
    """A rule finding's basis: the rule, the others that open the group
    with it, what their address groups hold, the services let in."""
    chosen = [rule] + [inventory.rules_by_id.get(i) or {'id': i}
                       for i in others]
    return reach.basis(inventory, chosen) + (
        ('services',) + tuple(services) if services else ())


def _service(proto, lo, hi):
    return lambda entry: reach.lets_in(entry, proto, lo, hi)


@check('sg-ingress-any-from-world', 'critical',
       'an ingress rule with any protocol from anywhere',
       needs=NEEDS, extensions=EXT)
def any_from_world(inventory, settings):
    found = open_from_anywhere(inventory, lambda entry: entry.any_proto)
    for rule, others in found.values():
        yield _rule_hit(inventory, 'sg-ingress-any-from-world', rule, others)


@check('sg-ingress-ssh-from-world', 'high',
       'an ingress rule that lets TCP port 22 in from anywhere',
       needs=NEEDS, extensions=EXT)
def ssh_from_world(inventory, settings):
    _, proto, lo, hi = settings_mod.SSH
    found = open_from_anywhere(inventory, _service(proto, lo, hi))
    for rule, others in found.values():
        yield _rule_hit(inventory, 'sg-ingress-ssh-from-world', rule, others)


@check('sg-ingress-sensitive-from-world', 'high',
       'an ingress rule that lets a sensitive port (RDP, databases, '
       'control planes, UDP amplifiers, out-of-band management, ...; '
       'configurable) in from anywhere',
       needs=NEEDS, extensions=EXT)
def sensitive_from_world(inventory, settings):
    by_rule = {}            # rule id -> (rule, [service names], {others})
    services = settings.sensitive_ports
    names_of = reach.service_names(services, inventory)
    order = {name: i for i, (name, _, _, _) in enumerate(services)}
    alone, others = reach.by_simplicity(inventory)
    for e in alone:                 # simple groups: what opens it alone
        names = names_of(e)
        if names:
            by_rule[e.id] = (e.rule, list(names), set())
    for entries in others.values():
        chosen = reach.by_service(entries, services, inventory)
        opened = {}         # the same rules chosen for several services
        for name in sorted(chosen, key=order.get):
            key = tuple(e.id for e in chosen[name])
            if key not in opened:
                opened[key] = reach.from_anywhere(chosen[name], inventory)
            for rule_id, (rule, others) in opened[key].items():
                entry = by_rule.setdefault(rule_id, (rule, [], set()))
                entry[1].append(name)
                entry[2].update(others)
    for rule, names, others in by_rule.values():
        yield _rule_hit(inventory, 'sg-ingress-sensitive-from-world', rule,
                        sorted(others), names)


SERVICES_SHOWN = 6


def _services(names):
    """The services a rule lets in, the first few by name (a rule of any
    protocol lets in every one of them)."""
    return registry.listing(names, SERVICES_SHOWN, 'sensitive services')


def default_groups(inventory):
    return [g for g in inventory.security_groups if g.get('name') ==
            'default']


@check('sg-default-same-group-ingress', 'medium',
       "a project's default group admits any protocol from its own "
       'members: the permissive same-group rules (one finding per group)',
       needs=NEEDS, extensions=EXT)
def default_same_group(inventory, settings):
    # a same-group rule names its own group as its remote: it is among
    # the rules referencing the group (an index other checks share)
    referencing = inventory.rules_referencing_group
    for group in default_groups(inventory):
        found = [r for r in referencing.get(group['id'], ())
                 if rules.is_same_group_rule(r)]
        if not found:
            continue
        versions = sorted({r.get('ethertype') or '?' for r in found})
        yield Hit(
            'security group', group,
            'members reach each other on any protocol (%s)'
            % ', '.join(versions),
            # the plan (blast radius) first, as the check's page says;
            # then the same command without --dry-run
            ('openstack', 'security', 'group', 'harden', 'default',
             '--project', group.get('project_id') or '', '--dry-run'),
            # one finding per rule before: baselines name the rules
            aliases=tuple(sorted(r['id'] for r in found)),
            basis=tuple(versions))


@check('sg-default-in-use', 'low',
       "ports that still use a project's default group (the blast radius "
       "of hardening it; Neutron's own ports aside); one finding per group",
       needs=NEEDS + own_ports.NEEDS, extensions=EXT)
def default_in_use(inventory, settings):
    users = {g['id']: [] for g in default_groups(inventory)}
    defaults = users.keys()
    for port in inventory.ports:
        groups = port.get('security_groups')
        if not groups or defaults.isdisjoint(groups):
            continue            # the common case, without a list built
        if not own_ports.is_neutron_own(inventory, port):
            for sg in groups:
                if sg in users:
                    users[sg].append(port)
    for group in default_groups(inventory):
        ports = users[group['id']]
        if not ports:
            continue
        only = sum(1 for p in ports if len(p.get('security_groups')) == 1)
        yield Hit(
            'security group', group,
            '%d port(s) use it, %d with no other group'
            % (len(ports), only),
            ('openstack', 'port', 'list', '--security-group', group['id'],
             '--long'))
