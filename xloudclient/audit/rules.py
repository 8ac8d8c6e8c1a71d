"""What a security group rule lets in: pure predicates over rule dicts."""

import functools

from xloudclient.audit import values

_NUMBERS = {'tcp': values.TCP, 'udp': values.UDP}


def is_ingress(rule):
    return rule.get('direction') == 'ingress'


def any_protocol(rule):
    """Whether the rule admits every protocol (null, 'any', protocol 0 by
    any of its names: audit/values.py)."""
    return values.is_any_protocol(rule.get('protocol') or None)


def matches_protocol(rule, protocol):
    """Whether the rule admits protocol ('tcp' or 'udp'), by name or
    number; an unreadable protocol admits nothing here (value-unreadable
    reports it)."""
    if any_protocol(rule):
        return True
    try:
        return values.protocol(rule['protocol']) == _NUMBERS[protocol]
    except values.Unreadable:
        return False


def port_range(rule):
    """(first, last) port the rule admits; all ports when unset."""
    lo, hi = rule.get('port_range_min'), rule.get('port_range_max')
    if lo is None and hi is None:
        return (1, 65535)
    lo = 1 if lo is None else int(lo)
    hi = 65535 if hi is None else int(hi)
    return (lo, hi)


def lets_in(rule, protocol, lo, hi):
    """Whether an ingress rule admits any of ports lo-hi over protocol.

    protocol is 'tcp', 'udp' or 'both'.
    """
    if not is_ingress(rule):
        return False
    protocols = ('tcp', 'udp') if protocol == 'both' else (protocol,)
    if not any(matches_protocol(rule, p) for p in protocols):
        return False
    if any_protocol(rule):
        return True
    first, last = port_range(rule)
    return first <= hi and lo <= last


def admits(rule):
    """What a rule admits, without its remote: 'IPv4 tcp ports 20-25'
    (worked out once per distinct value and type of its fields)."""
    protocol, first, last, ethertype = (
        rule.get('protocol'), rule.get('port_range_min'),
        rule.get('port_range_max'), rule.get('ethertype'))
    fields = (('protocol' in rule, type(protocol), protocol),
              ('port_range_min' in rule, type(first), first),
              ('port_range_max' in rule, type(last), last),
              ('ethertype' in rule, type(ethertype), ethertype))
    try:
        return _admits(fields)
    except TypeError:           # a value no key can hold (a list)
        return _admits.__wrapped__(fields)


_ADMITS = ('protocol', 'port_range_min', 'port_range_max', 'ethertype')


@functools.lru_cache(maxsize=4096)
def _admits(fields):
    rule = {k: value for k, (present, _, value) in zip(_ADMITS, fields)
            if present}
    proto = str(rule.get('protocol') or '')
    if any_protocol(rule):      # 'any protocol (hopopt)' for protocol 0
        proto = 'any protocol (%s)' % proto if proto else 'any protocol'
    first, last = port_range(rule)
    if any_protocol(rule) or (first, last) == (1, 65535):
        ports = 'all ports' if not any_protocol(rule) else ''
    else:
        ports = 'port %d' % first if first == last else 'ports %d-%d' % (
            first, last)
    return ' '.join(p for p in (rule.get('ethertype', '?'), proto, ports)
                    if p)


def describe(rule):
    """A short human text: 'ingress IPv4 tcp ports 20-25 from 0.0.0.0/0'."""
    remote = rule.get('remote_ip_prefix') or (
        'its own group' if rule.get('remote_group_id') and
        rule['remote_group_id'] == rule.get('security_group_id') else
        'remote group %s' % rule['remote_group_id']
        if rule.get('remote_group_id') else
        'address group %s' % rule['remote_address_group_id']
        if rule.get('remote_address_group_id') else 'anywhere (no remote)')
    return '%s %s from %s' % (rule.get('direction', '?'), admits(rule),
                              remote)


def host_prefix_len(address):
    """(prefix length, max length) of an address pair's ip_address, as
    Neutron reads it; values.Unreadable when it cannot be read."""
    return values.prefix_len(address)


def is_same_group_rule(rule):
    """The default group's permissive rule: all from its own members."""
    return (is_ingress(rule) and any_protocol(rule)
            and rule.get('remote_group_id') == rule.get('security_group_id')
            and rule.get('port_range_min') is None
            and rule.get('port_range_max') is None
            and not rule.get('remote_ip_prefix'))
