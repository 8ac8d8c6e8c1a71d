"""Checks over allowed address pairs: anti-spoofing holes."""

from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import rules

EXT = ('allowed-address-pairs',)


def pairs(inventory):
    """[(port, pair, prefix length, max length)] for every parsable pair
    (parsed once per inventory)."""
    cache = inventory.memo
    if 'pairs' not in cache:
        found = []
        for port in inventory.port_digest.paired:
            for pair in port['allowed_address_pairs']:
                try:
                    length, top = rules.host_prefix_len(
                        pair.get('ip_address'))
                except (ValueError, TypeError):
                    continue
                found.append((port, pair, length, top))
        cache['pairs'] = found
    return cache['pairs']


def unset_command(port, pair):
    spec = 'ip-address=%s' % pair['ip_address']
    if pair.get('mac_address'):
        spec += ',mac-address=%s' % pair['mac_address']
    return ('openstack', 'port', 'unset', '--allowed-address', spec,
            port['id'])


@check('aap-any-address', 'critical',
       'an allowed address pair whose prefix is /0 (0.0.0.0/0, ::/0): '
       'anti-spoofing is off in disguise',
       needs=('ports',), extensions=EXT)
def any_address(inventory, settings):
    for port, pair, length, _ in pairs(inventory):
        if length == 0:
            yield Hit('port', port,
                      'pair %s: may send and receive as any address'
                      % pair['ip_address'],
                      unset_command(port, pair), key=pair['ip_address'])


@check('aap-wide-prefix', 'medium',
       'an allowed address pair wider than a host but not /0, wider than '
       'the threshold (default /24 for IPv4, /64 for IPv6)',
       needs=('ports',), extensions=EXT)
def wide_prefix(inventory, settings):
    for port, pair, length, top in pairs(inventory):
        limit = settings.ipv4_max_prefix if top == 32 else \
            settings.ipv6_max_prefix
        if 0 < length < limit:
            yield Hit('port', port,
                      'pair %s is wider than /%d (%d addresses)' % (
                          pair['ip_address'], limit, 2 ** (top - length)),
                      unset_command(port, pair), key=pair['ip_address'])


@check('aap-remote-group-bypass', 'high',
       'a port with an allowed address pair wider than a host, in a '
       'security group that other rules reference as remote_group_id: '
       'every such rule admits that whole prefix',
       needs=('ports', 'security_groups', 'security_group_rules'),
       extensions=EXT + ('security-group',))
def remote_group_bypass(inventory, settings):
    for port, pair, length, top in pairs(inventory):
        if length == top:
            continue
        referencing = {}
        for sg in port.get('security_groups') or ():
            refs = inventory.rules_referencing_group.get(sg, [])
            if refs:
                referencing[sg] = refs
        if not referencing:
            continue
        count = sum(len(r) for r in referencing.values())
        groups = sorted(inventory.groups_by_id.get(sg, {}).get('name') or sg
                        for sg in referencing)
        yield Hit('port', port,
                  'pair %s is let in by %d rule(s) naming its group(s) %s '
                  'as remote group' % (pair['ip_address'], count,
                                       registry.listing(groups)),
                  unset_command(port, pair), key=pair['ip_address'],
                  basis=tuple(sorted(r['id'] for refs in referencing.values()
                                     for r in refs)))
