""""From anywhere" as address sets, not spellings.

A rule admits a set of remote addresses: its remote_ip_prefix; every
address of its IP version when it has no remote at all; the addresses of
its remote address group. A rule with a remote_group_id admits that
group's members, not the world (the address-pair bypass check covers
that). A set of rules is open "from anywhere" when the union of what they
admit covers all publicly routable space of that IP version:

- IPv4: everything but the special-purpose blocks of the IANA registry
  (0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, the
  documentation nets, 192.168/16, 198.18/15, 224/4, 240/4);
- IPv6: 2000::/3, the global unicast space.

The address arithmetic is netaddr's IPSet. Each rule is classified once
per inventory (its set, whether it alone covers the public space, the
protocols and ports it admits); rules that admit no public address are
dropped at once, and the union of several rules is computed once per set
of rules: the checks then only compare small tuples.
"""

import bisect
import collections
import socket

import netaddr

from xloudclient.audit import rules as rules_mod
from xloudclient.audit import values as values_mod

SPECIAL_V4 = ('0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8',
              '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
              '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15',
              '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4',
              '240.0.0.0/4')
EVERYTHING = {4: netaddr.IPSet(['0.0.0.0/0']), 6: netaddr.IPSet(['::/0'])}
PUBLIC = {4: EVERYTHING[4] - netaddr.IPSet(SPECIAL_V4),
          6: netaddr.IPSet(['2000::/3'])}


def version(rule):
    return 6 if str(rule.get('ethertype') or '').lower() == 'ipv6' else 4


def _addresses(values, ip_version):
    found = netaddr.IPSet()
    for value in values or ():
        try:
            net = values_mod.network(value)
        except values_mod.Unreadable:
            continue            # value-unreadable reports it
        if net.version == ip_version:
            found.add(net)
    return found


def _remote(rule):
    """What a rule's admitted set depends on, as a hashable key."""
    if rule.get('remote_group_id'):
        return _GROUP
    if rule.get('remote_address_group_id'):
        return ('address group', rule['remote_address_group_id'])
    return ('prefix', rule.get('remote_ip_prefix') or None)


def admitted(rule, inventory):
    """The IPSet of remote addresses the rule admits (its own IP version
    only); empty for a remote security group. Computed once per distinct
    remote and IP version in an inventory."""
    key = (version(rule),) + _remote(rule)
    cache = inventory.admitted
    if key not in cache:
        v, kind = key[0], key[1]
        if kind == 'group':
            found = netaddr.IPSet()
        elif kind == 'address group':
            group = inventory.by_type('address_groups').get(key[2]) or {}
            found = _addresses(group.get('addresses'), v)
        elif key[2]:
            found = _addresses([key[2]], v)
        else:
            found = EVERYTHING[v]
        cache[key] = (found, bool(found & PUBLIC[v]),
                      PUBLIC[v].issubset(found))
    return cache[key][0]


def _classes(rule, inventory):
    """(touches public space, covers it alone) of the rule's remote."""
    admitted(rule, inventory)
    _, touches, alone = inventory.admitted[(version(rule),) +
                                           _remote(rule)]
    return touches, alone


# One ingress rule that admits some public address, classified once.
Entry = collections.namedtuple(
    'Entry', 'rule id version alone any_proto tcp udp lo hi remote')


def _shape(rule, inventory):
    """The fields of an Entry after rule and id, for a rule's shape
    (classified once per distinct shape)."""
    touches, alone = _classes(rule, inventory)
    lo, hi = rules_mod.port_range(rule)
    return (touches, version(rule), alone, rules_mod.any_protocol(rule),
            rules_mod.matches_protocol(rule, 'tcp'),
            rules_mod.matches_protocol(rule, 'udp'), lo, hi, _remote(rule))


def public_rules(inventory):
    """{security group ID: [Entry]}: its ingress rules that admit at least
    one public address. Built once per inventory."""
    cache = inventory.memo
    if 'by_group' not in cache:
        cache['by_group'] = _public_rules(inventory)
    return cache['by_group']


def _public_rules(inventory):
    # One pass over every rule, its work inlined: rules repeat a few
    # shapes, and half of them have a remote that holds no public address
    # (known after the first of its kind, before the rest is read).
    by_group, quiet, shapes = {}, set(), {}
    for rule in inventory.security_group_rules:
        if rule.get('direction') != 'ingress':
            continue
        if rule.get('remote_group_id'):
            remote = _GROUP
        elif rule.get('remote_address_group_id'):
            remote = ('address group', rule['remote_address_group_id'])
        else:
            remote = ('prefix', rule.get('remote_ip_prefix') or None)
        ethertype = rule.get('ethertype')
        if (ethertype, remote) in quiet:
            continue
        shape = (ethertype, remote, rule.get('protocol'),
                 rule.get('port_range_min'), rule.get('port_range_max'))
        rest = shapes.get(shape)    # the Entry after rule and id, or False
        if rest is None:
            fields = _shape(rule, inventory)
            rest = shapes[shape] = fields[0] and fields[1:]
            if not rest:
                quiet.add((ethertype, remote))
        if rest:
            group = rule.get('security_group_id')
            entry = _NEW(Entry, (rule, rule['id']) + rest)
            try:
                by_group[group].append(entry)
            except KeyError:
                by_group[group] = [entry]
    return by_group


_GROUP = ('group',)
_NEW = tuple.__new__             # an Entry without its Python __new__


def lets_in(entry, protocol, lo, hi):
    """rules.lets_in for a classified rule ('tcp', 'udp' or 'both')."""
    if entry.any_proto:
        return True
    if not ((protocol in ('tcp', 'both') and entry.tcp) or
            (protocol in ('udp', 'both') and entry.udp)):
        return False
    return entry.lo <= hi and lo <= entry.hi


class Services(tuple):
    """A list of services (name, protocol, first, last) that keys memos:
    its hash is worked out once, not at every lookup (a list of 70
    services hashes 70 tuples)."""

    def __hash__(self):
        try:
            return self._hash
        except AttributeError:
            self._hash = tuple.__hash__(self)
            return self._hash


def _key(services):
    return services if type(services) is Services else Services(services)


def service_names(services, inventory):
    """names(entry): the names of the services the entry's protocols and
    ports admit, worked out once per distinct (protocols, ports) and
    service list (hashed once here, not once per entry)."""
    memo = inventory.memo.setdefault('services', {}).setdefault(
        _key(services), {})

    def names(e):
        key = (e.any_proto, e.tcp, e.udp, e.lo, e.hi)
        found = memo.get(key)
        if found is None:
            found = memo[key] = tuple(
                name for name, proto, lo, hi in services
                if lets_in(e, proto, lo, hi))
        return found
    return names


def by_service(entries, services, inventory):
    """{service name: [entries admitting it]}."""
    names = service_names(services, inventory)
    found = {}
    for e in entries:
        for name in names(e):
            found.setdefault(name, []).append(e)
    return found


def by_simplicity(inventory):
    """([Entry], {security group ID: [Entry]}): the entries that open
    their group alone, of the groups where nothing else does (simple);
    and the public rules of the other groups. Once per inventory."""
    memo = inventory.memo
    if 'by simplicity' not in memo:
        alone, other = [], {}
        for group, entries in public_rules(inventory).items():
            if simple(entries):
                alone.extend(e for e in entries if e.alone)
            else:
                other[group] = entries
        memo['by simplicity'] = alone, other
    return memo['by simplicity']


def simple(entries):
    """Whether no union of some of the entries covers the public space
    unless one of them covers it alone: per IP version, at most one remote
    among those that do not. Then what opens anything from anywhere is
    exactly the entries that cover it alone (from_anywhere without the
    unions), whatever the selection; most groups are so."""
    seen = {}
    for e in entries:
        if not e.alone and seen.setdefault(e.version, e.remote) != e.remote:
            return False
    return True


def _covered(entries, ip_version, inventory):
    """Whether the entries' union covers the public space (memoised per
    set of distinct remotes: rules repeat the same few)."""
    remotes = frozenset(e.remote for e in entries)
    if len(remotes) == 1:
        return False    # one remote that does not cover it alone (callers)
    key = (ip_version, remotes)
    cache = inventory.memo.setdefault('unions', {})
    if key not in cache:
        union = netaddr.IPSet()
        for e in entries:
            union |= admitted(e.rule, inventory)
        cache[key] = PUBLIC[ip_version].issubset(union)
    return cache[key]


def from_anywhere(entries, inventory):
    """{rule id: (rule, [other rule ids])} of the entries (chosen for a
    service or protocol; one group, or one port's groups) that open it
    from anywhere: each that alone covers the public space of its IP
    version; when none does alone but several together do, each of
    those, naming the others."""
    if len(entries) == 1 and not entries[0].alone:
        return {}
    return _from_anywhere(entries, inventory)


def _from_anywhere(entries, inventory):
    found = {}
    for v in (4, 6):
        mine = [e for e in entries if e.version == v]
        alone = [e for e in mine if e.alone]
        if alone:
            found.update((e.id, (e.rule, [])) for e in alone)
        elif len(mine) > 1 and _covered(mine, v, inventory):
            ids = [e.id for e in mine]
            found.update((e.id, (e.rule, [i for i in ids if i != e.id]))
                         for e in mine)
    return found


def exposed(inventory, port, services, ip_version):
    """[(rule, service names)], by rule ID: the ingress rules of all the
    port's security groups (their union) that, alone or together, open a
    service from anywhere over ip_version. Memoised per set of groups."""
    groups = tuple(sorted(port.get('security_groups') or ()))
    key = (groups, ip_version)
    # per service list (hashed once per call), then per set of groups
    cache = inventory.memo.setdefault('exposed', {}).setdefault(
        _key(services), {})
    if key not in cache:
        by_group = public_rules(inventory)
        entries = [e for g in groups for e in by_group.get(g, ())
                   if e.version == ip_version]
        if simple(entries):         # no union to work out
            names_of = service_names(services, inventory)
            cache[key] = sorted(((e.rule, list(names_of(e))) for e in entries
                                 if e.alone and names_of(e)),
                                key=lambda found: found[0]['id'])
            return cache[key]
        names, by_id = {}, {}
        for name, chosen in by_service(entries, services,
                                       inventory).items():
            for rule_id, (rule, _) in from_anywhere(chosen,
                                                    inventory).items():
                names.setdefault(rule_id, []).append(name)
                by_id[rule_id] = rule
        cache[key] = [(by_id[i], names[i]) for i in sorted(names)]
    return cache[key]


def basis(inventory, rules):
    """What a verdict over these rules depends on, for a decision's
    endorsement: their IDs (a rule cannot be edited), and for a remote
    address group what it holds now (its members can change it)."""
    if len(rules) == 1 and not rules[0].get('remote_address_group_id'):
        return ('rules', rules[0]['id'])    # the common case
    ids = sorted({r['id'] for r in rules})
    held = sorted({(r['remote_address_group_id'], _held(
        inventory, r['remote_address_group_id'])) for r in rules
        if r.get('remote_address_group_id')})
    return ('rules',) + tuple(ids) + (('address groups',) + tuple(held)
                                      if held else ())


def _held(inventory, group_id):
    """An address group's addresses as text, once per inventory."""
    memo = inventory.memo.setdefault('held', {})
    if group_id not in memo:
        group = inventory.by_type('address_groups').get(group_id) or {}
        memo[group_id] = ' '.join(sorted(
            str(a) for a in group.get('addresses') or ()))
    return memo[group_id]


# PUBLIC as sorted (first, last) integer ranges, for fast membership.
_RANGES = {v: [(int(r.first), int(r.last)) for r in s.iter_ipranges()]
           for v, s in PUBLIC.items()}
_FIRSTS = {v: [first for first, _ in r] for v, r in _RANGES.items()}


_PRIVATE_V4 = ('10.', '192.168.', '127.')       # exact prefixes of /8, /16


def is_public(address):
    """Whether an address is publicly routable (see PUBLIC)."""
    if not isinstance(address, str) or address.startswith(_PRIVATE_V4):
        return False                    # the common tenant case, cheaply
    v, family = (6, socket.AF_INET6) if ':' in address else \
        (4, socket.AF_INET)
    try:
        value = int.from_bytes(socket.inet_pton(family, address), 'big')
    except (OSError, TypeError, ValueError):
        return False
    i = bisect.bisect_right(_FIRSTS[v], value) - 1
    return i >= 0 and value <= _RANGES[v][i][1]


def touches_public(prefix):
    """Whether a prefix (text) holds any publicly routable address."""
    net = netaddr.IPNetwork(prefix)
    return bool(netaddr.IPSet([net]) & PUBLIC[net.version])
