"""Spellings Neutron accepts, judged by Neutron's own code.

Run by the devcloud's Python (its virtualenv holds Neutron, neutron-lib
and netaddr), never imported by the tests: `python neutron_spellings.py
SEED COUNT` prints JSON {"pairs": [[canonical, spelling], ...],
"protocols": [[canonical, stored], ...], "tried": n}. A pair spelling is
kept when neutron-lib's allowed-address-pairs validator accepts it (what
Neutron then stores verbatim); a protocol when Neutron's rule converter
and the rule object's field accept it (what Neutron stores: the
converter's output).
"""

import json
import random
import sys
import warnings

import netaddr
from neutron.conf.extensions import allowedaddresspairs as pair_opts
from neutron.extensions import securitygroup
from neutron_lib.api.validators import allowedaddresspairs
from neutron_lib import constants
from neutron_lib.objects import common_types


def _v6_spellings(rng, net):
    """Ways to write an IPv6 network netaddr reads as net."""
    ip = net.ip
    words = ['%x' % w for w in ip.words]
    forms = [str(ip), ':'.join(words), ':'.join('%04x' % w for w in
                                                ip.words)]
    forms += [f.upper() for f in forms]
    mask = str(net.netmask)
    found = []
    for form in forms:
        found += [form + '/%d' % net.prefixlen,
                  form + '/%03d' % net.prefixlen,
                  form + '/+%d' % net.prefixlen,
                  form + '/' + mask, form + '/' + mask.upper()]
    return found


def _v4_spellings(rng, net):
    return [str(net.ip) + '/%d' % net.prefixlen,
            str(net.ip) + '/' + str(net.netmask),
            str(net.ip) + '/+%d' % net.prefixlen,
            str(net.ip) + '/%02d' % net.prefixlen,
            '::ffff:' + str(net.ip)]


def _network(rng, version):
    bits = 32 if version == 4 else 128
    length = rng.choice([0, 1, 8, 16, 24, 31, bits // 2, bits - 1, bits,
                         rng.randint(0, bits)])
    value = rng.getrandbits(bits)
    if rng.random() < 0.5:      # host bits clear half the time
        value &= ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)
    if version == 6 and rng.random() < 0.5:
        value &= ~(0xffff << 112)   # a leading zero group now and then
        value |= 0xfd00 << 112
    return netaddr.IPNetwork((value, length), version=version)


def _accepted(spelling):
    try:
        allowedaddresspairs._validate_allowed_address_pairs(
            [{'ip_address': spelling}])
        return True
    except Exception:
        return False


def _canonical(spelling):
    net = netaddr.IPNetwork(spelling)
    return str(net.cidr) if '/' in spelling else str(net.ip)


def pairs(rng, count):
    kept, tried = [], 0
    for _ in range(count):
        version = rng.choice((4, 6))
        net = _network(rng, version)
        spell = _v4_spellings if version == 4 else _v6_spellings
        for spelling in spell(rng, net):
            tried += 1
            if _accepted(spelling):
                kept.append([_canonical(spelling), spelling])
    return kept, tried


def protocols(rng):
    kept, tried = [], 0
    field = common_types.IpProtocolEnum()
    names = list(constants.IP_PROTOCOL_MAP) + ['any']
    candidates = []
    for name in names:
        candidates += [name, name.upper(), name.capitalize(),
                       ''.join(rng.choice((c.lower(), c.upper()))
                               for c in name)]
    for n in range(256):
        candidates += [str(n), '0%d' % n, '+%d' % n, ' %d' % n]
    for value in candidates:
        tried += 1
        try:
            stored = securitygroup.convert_protocol(value)
            if stored is not None:
                field.coerce(None, 'protocol', stored)
        except Exception:
            continue
        canonical = None if stored is None else str(
            constants.IP_PROTOCOL_MAP.get(stored, stored))
        kept.append([canonical, stored])
    return kept, tried


def main():
    warnings.simplefilter('ignore')     # deprecations on stderr
    pair_opts.register_allowed_address_pair_opts()
    rng = random.Random(int(sys.argv[1]))
    found_pairs, tried_pairs = pairs(rng, int(sys.argv[2]))
    found_protocols, tried_protocols = protocols(rng)
    json.dump({'pairs': found_pairs, 'protocols': found_protocols,
               'tried': tried_pairs + tried_protocols}, sys.stdout)


if __name__ == '__main__':
    main()
