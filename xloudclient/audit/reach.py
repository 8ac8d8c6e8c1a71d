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

The address arithmetic is netaddr's IPSet. Each rule's set is computed
once per inventory.
"""

import netaddr

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
            net = netaddr.IPNetwork(value)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            continue            # Neutron validates these; skip the odd one
        if net.version == ip_version:
            found.add(net)
    return found


def admitted(rule, inventory):
    """The IPSet of remote addresses the rule admits (its own IP version
    only); empty for a remote security group. Cached per inventory."""
    cache = inventory.admitted
    key = rule.get('id') or id(rule)
    if key not in cache:
        v = version(rule)
        if rule.get('remote_group_id'):
            found = netaddr.IPSet()
        elif rule.get('remote_address_group_id'):
            group = inventory.by_type('address_groups').get(
                rule['remote_address_group_id']) or {}
            found = _addresses(group.get('addresses'), v)
        elif rule.get('remote_ip_prefix'):
            found = _addresses([rule['remote_ip_prefix']], v)
        else:
            found = EVERYTHING[v]
        cache[key] = found
    return cache[key]


def from_anywhere(candidates, inventory):
    """{rule id: (rule, [other rule ids])} of the candidate rules (already
    chosen for a service or protocol; ingress, one group or one port) that
    open it from anywhere: each rule that alone covers the public space of
    its IP version; when none does alone but several together do, each of
    those, naming the others."""
    found = {}
    for v in (4, 6):
        rules = [r for r in candidates if version(r) == v]
        alone = [r for r in rules
                 if PUBLIC[v].issubset(admitted(r, inventory))]
        if alone:
            found.update((r['id'], (r, [])) for r in alone)
            continue
        parts = [r for r in rules if admitted(r, inventory) & PUBLIC[v]]
        union = netaddr.IPSet()
        for r in parts:
            union |= admitted(r, inventory)
        if parts and PUBLIC[v].issubset(union):
            ids = [r['id'] for r in parts]
            found.update((r['id'], (r, [i for i in ids if i != r['id']]))
                         for r in parts)
    return found


def exposed(inventory, port, services, ip_version):
    """[(rule, service names)], by rule ID: the ingress rules of all the
    port's security groups (their union) that, alone or together, open a
    service from anywhere over ip_version."""
    from xloudclient.audit import rules

    ingress = [r for sg in port.get('security_groups') or ()
               for r in inventory.rules_by_group.get(sg, ())
               if version(r) == ip_version and rules.is_ingress(r)]
    names, by_id = {}, {}
    for name, proto, lo, hi in services:
        chosen = [r for r in ingress if rules.lets_in(r, proto, lo, hi)]
        for rule_id, (rule, _) in from_anywhere(chosen, inventory).items():
            names.setdefault(rule_id, []).append(name)
            by_id[rule_id] = rule
    return [(by_id[i], names[i]) for i in sorted(names)]


def is_public(address):
    """Whether an address is publicly routable (see PUBLIC)."""
    try:
        ip = netaddr.IPAddress(address)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return False
    return ip in PUBLIC[ip.version]
