"""Values as Neutron reads them: prefixes, addresses and IP protocols.

Neutron stores some values as they were written: an allowed address
pair's ip_address passes netaddr's parser and is kept verbatim
('FD00::/ffff::' is fd00::/16; '10.0.0.1/8' keeps its host bits), and a
security group rule's protocol is a name of neutron-lib's table or a
number 0-255 ('hopopt' and 'ip' are both protocol 0, 'icmpv6' is 58).
The audit reads them here, with netaddr and that table, never with a
parser of its own: a spelling Neutron accepts gives the findings of its
canonical form. A value this module cannot read raises Unreadable; the
audit reports it (check value-unreadable), never skips it silently.
"""

import functools

import netaddr

# neutron-lib's IP_PROTOCOL_MAP (neutron_lib/constants.py), the names a
# security group rule's protocol may hold; 'any' is stored as null.
PROTOCOL_NUMBERS = {
    'ah': 51, 'dccp': 33, 'egp': 8, 'esp': 50, 'gre': 47, 'hopopt': 0,
    'icmp': 1, 'igmp': 2, 'ip': 0, 'ipip': 4, 'ipv6-encap': 41,
    'ipv6-frag': 44, 'ipv6-icmp': 58, 'icmpv6': 58, 'ipv6-nonxt': 59,
    'ipv6-opts': 60, 'ipv6-route': 43, 'ospf': 89, 'pgm': 113, 'rsvp': 46,
    'sctp': 132, 'tcp': 6, 'udp': 17, 'udplite': 136, 'vrrp': 112}
TCP, UDP = 6, 17


class Unreadable(ValueError):
    """A value Neutron stored that this module cannot read; str() says
    which and why."""


def network(value):
    """The netaddr.IPNetwork of a prefix or an address (a host network
    when it has no prefix length), read as Neutron reads it; Unreadable
    when netaddr cannot read it. Read once per distinct text (a cloud's
    rules share few prefixes): the network returned is shared, and no
    caller changes it."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise Unreadable('%r is not a prefix or an address' % (value,))
    return _parsed(value)


@functools.lru_cache(maxsize=1 << 16)
def _parsed(value):
    try:
        return netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError) as e:
        raise Unreadable('%r is not a prefix or an address (%s)'
                         % (value, ' '.join(str(e).split())[:80]))


def prefix_len(value):
    """(prefix length, its IP version's longest) of a prefix or an
    address; Unreadable as network()."""
    net = network(value)
    return net.prefixlen, 32 if net.version == 4 else 128


def protocol(value):
    """A rule's protocol as a number, or None for any protocol (null or
    'any'); Unreadable when it is neither a name of Neutron's table nor a
    number 0-255 (Neutron stores numbers as decimal strings)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Unreadable('protocol %r is not a name or a number' % (value,))
    text = str(value)
    if text.lower() == 'any':
        return None
    if text.lower() in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[text.lower()]
    if text.isascii() and text.isdigit() and int(text) <= 255:
        return int(text)
    raise Unreadable('protocol %r is neither a name Neutron knows nor a '
                     'number 0-255' % text[:40])


def is_any_protocol(value):
    """Whether a rule's protocol admits every protocol: null, 'any', or
    protocol 0 by any name ('0', 'hopopt', 'ip': iptables reads protocol
    0 as all). False for an unreadable one (reported on its own)."""
    try:
        return protocol(value) in (None, 0)
    except Unreadable:
        return False
