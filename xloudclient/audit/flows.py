"""One port's paths in and what they admit, a flow's verdict and a send's:
what `network harden explain` shows (pure, over an inventory).

Paths from the internet are the audit's (audit/reachability.py); from
inside the cloud: the port's own network, other projects on it when it is
shared, and other projects' ports in a remote group of another project
(shared with the port's, or through RBAC).
A rule admits over a path when its IP version is the path's, the path
carries its protocol and ports, and its remote holds addresses the path
brings: public space from the internet, the network's subnets from
inside (a remote group: its members' addresses, or anyone's for a group
shared with other projects).
"""

import dataclasses

import netaddr

from xloudclient.audit import rbac
from xloudclient.audit import reach
from xloudclient.audit import reachability
from xloudclient.audit import rules as rules_mod
from xloudclient.audit import values as values_mod

NETWORK = 'network'
SHARED_NETWORK = 'shared network'
SHARED_GROUP = 'shared group'
# Protocols with ports (tcp, udp, dccp, sctp, udplite).
PORTED = (6, 17, 33, 132, 136)


@dataclasses.dataclass(frozen=True)
class Row:
    """One path in: its source and entry, the rules admitting over it."""

    path: reachability.Path
    rules: tuple
    admits: str


@dataclasses.dataclass(frozen=True)
class Verdict:
    """'admitted'/'dropped' (a flow) or 'allowed'/'dropped' (a send), why,
    and the command that would allow a dropped send (an argv, or ())."""

    verdict: str
    reason: str
    command: tuple = ()


def paths_of(inventory, port):
    """Every path in to the port: the internet's, then from inside."""
    found = list(reachability.paths_in(inventory).get(port['id'], ()))
    net = inventory.networks_by_id.get(port.get('network_id')) or {}
    name = net.get('name') or port.get('network_id') or ''
    found.append(reachability.Path(reachability.OWN_NETWORK, NETWORK,
                                   'network %s' % name, 0,
                                   via=port.get('network_id') or ''))
    if _shared(inventory, 'network', net, port):
        found.append(reachability.Path(reachability.OTHER_PROJECTS,
                                       SHARED_NETWORK,
                                       'shared network %s' % name, 0,
                                       via=net['id']))
    groups = inventory.groups_by_id
    remotes = sorted({r['remote_group_id'] for g in _groups(port)
                      for r in inventory.rules_by_group.get(g, ())
                      if rules_mod.is_ingress(r) and r.get('remote_group_id')})
    for remote in remotes:
        group = groups.get(remote) or {'id': remote}
        if _shared(inventory, 'security_group', group, port):
            found.append(reachability.Path(
                reachability.OTHER_PROJECTS, SHARED_GROUP,
                'security group %s, shared (other projects\' ports may '
                'join it)' % (group.get('name') or remote), 0, via=remote))
    return found


def _groups(port):
    return tuple(port.get('security_groups') or ())


def _shared(inventory, object_type, item, port):
    """Whether other projects may use the network or group: it belongs to
    another project than the port (its owner's ports at least; a member
    sees another project's only when it is shared with it), its shared
    flag, or an RBAC policy sharing it with every project or another."""
    owner = item.get('project_id')
    if owner and owner != port.get('project_id'):
        return True
    if object_type == 'network' and item.get('shared') is True:
        return True
    return bool(rbac.to_other_projects(inventory, object_type, item))


def rows(inventory, port):
    """[Row] of every path in to the port."""
    return [_row(inventory, port, path) for path in paths_of(inventory, port)]


def _row(inventory, port, path):
    if port.get('port_security_enabled') is False:
        return Row(path, (), 'everything (port security is off)')
    found = [r for r in _ingress(inventory, port)
             if _over(inventory, port, path, r)]
    return Row(path, tuple(r['id'] for r in found),
               '; '.join(_words(r) for r in found) or 'nothing')


def _ingress(inventory, port):
    return [r for g in _groups(port)
            for r in inventory.rules_by_group.get(g, ())
            if rules_mod.is_ingress(r)]


def _words(rule):
    """'IPv4 tcp port 22 from 0.0.0.0/0' (all are ingress)."""
    return rules_mod.describe(rule).partition(' ')[2]


def _over(inventory, port, path, rule):
    """Whether the rule admits anything over the path."""
    v = reach.version(rule)
    if path.version and v != path.version:
        return False
    if not _carried(path, rule):
        return False
    if path.source == reachability.INTERNET:
        return bool(reach.admitted(rule, inventory) & reach.PUBLIC[v]) or \
            (path.kind in reachability.ANY_ADDRESS and
             not rule.get('remote_group_id'))
    if path.kind == SHARED_GROUP:
        return rule.get('remote_group_id') == path.via
    if rule.get('remote_group_id'):
        return True                 # its members may be on the network
    return bool(reach.admitted(rule, inventory) &
                _local(inventory, port, v))


def _carried(path, rule):
    if path.protocol is None or rules_mod.any_protocol(rule):
        return True
    if not rules_mod.matches_protocol(rule, path.protocol):
        return False
    lo, hi = rules_mod.port_range(rule)
    return path.lo <= hi and lo <= path.hi


def _local(inventory, port, v):
    """The IPSet of the port's network's subnets of IP version v (worked
    out once per inventory, port and version)."""
    key = ('flows.local', port.get('network_id'), v)
    if key not in inventory.memo:
        inventory.memo[key] = _subnets_of(inventory, port, v)
    return inventory.memo[key]


def _subnets_of(inventory, port, v):
    found = netaddr.IPSet()
    for subnet in inventory.subnets:
        if subnet.get('network_id') == port.get('network_id'):
            try:
                net = values_mod.network(subnet.get('cidr'))
            except values_mod.Unreadable:
                continue
            if net.version == v:
                found.add(net)
    return found


def flow(inventory, port, source, protocol, number=None):
    """The Verdict of traffic from source (an address) over protocol (a
    name or number, values.PROTOCOL_NUMBERS) to port number (as the
    instance sees it; None: any)."""
    ip = netaddr.IPAddress(source)
    wanted = values_mod.protocol(protocol)
    what = '%s%s from %s' % (protocol, '' if number is None else
                             ' port %d' % number, source)
    paths = [p for p in paths_of(inventory, port)
             if _brings(inventory, port, p, ip) and
             (p.protocol is None or (
                 wanted == values_mod.PROTOCOL_NUMBERS.get(p.protocol) and
                 (number is None or p.lo <= number <= p.hi)))]
    if not paths:
        return Verdict('dropped', 'no path in carries %s: the port is not '
                       'reached from there' % what)
    if port.get('port_security_enabled') is False:
        return Verdict('admitted', 'port security is off: %s admits '
                       'everything' % _named(paths[0]))
    for path in paths:
        for rule in _ingress(inventory, port):
            if _admits(inventory, path, rule, ip, wanted, number):
                return Verdict('admitted', '%s: rule %s (%s)' % (
                    _named(path), rule['id'], _words(rule)))
    return Verdict('dropped', 'no rule of the port\'s security groups '
                   'admits %s (over %s)' % (what, ', '.join(
                       _named(p) for p in paths)))


_FROM = {reachability.INTERNET: 'from the internet',
         reachability.OWN_NETWORK: 'from its own network',
         reachability.OTHER_PROJECTS: 'from other projects'}


def _named(path):
    return '%s by %s' % (_FROM.get(path.source, path.source), path.entry)


def _brings(inventory, port, path, ip):
    """Whether traffic from ip can come over the path."""
    if path.version and path.version != ip.version:
        return False
    if path.source == reachability.INTERNET:
        return reach.is_public(str(ip)) or \
            path.kind in reachability.ANY_ADDRESS
    if path.kind == SHARED_GROUP:
        return True
    return ip in _local(inventory, port, ip.version)


def _admits(inventory, path, rule, ip, wanted, number):
    """Whether the rule admits the flow over the path."""
    if reach.version(rule) != ip.version or not _carried(path, rule):
        return False
    if not rules_mod.any_protocol(rule):
        try:
            if values_mod.protocol(rule.get('protocol')) != wanted:
                return False
        except values_mod.Unreadable:
            return False
        lo, hi = rules_mod.port_range(rule)
        if wanted in PORTED and number is not None and \
                not lo <= number <= hi:
            return False
    if rule.get('remote_group_id'):
        return path.kind == SHARED_GROUP and \
            rule['remote_group_id'] == path.via or \
            _member(inventory, rule['remote_group_id'], ip)
    return ip in reach.admitted(rule, inventory)


def _member(inventory, group_id, ip):
    """Whether a port read in the group holds ip (fixed or pair)."""
    for port in inventory.ports:
        if group_id in _groups(port):
            for address, _, _ in reachability.sends_as(port):
                if _holds(address, ip):
                    return True
    return False


def _holds(address, ip):
    try:
        net = values_mod.network(address)
    except values_mod.Unreadable:
        return False
    return net.version == ip.version and ip in net


def send(inventory, port, source, mac=None):
    """The Verdict of the port sending as source (and mac, if given)."""
    ip = netaddr.IPAddress(source)
    if port.get('port_security_enabled') is False:
        return Verdict('allowed', 'port security is off: anti-spoofing '
                       'does not check what the port sends')
    for address, held_mac, how in reachability.sends_as(port):
        if _holds(address, ip) and (mac is None or str(
                held_mac or '').lower() == mac.lower()):
            return Verdict('allowed', '%s %s%s' % (
                how, address, '' if mac is None else ' with MAC %s'
                % held_mac))
    command = ('openstack', 'port', 'set', '--allowed-address',
               'ip-address=%s%s' % (source, '' if mac is None else
                                    ',mac-address=%s' % mac), port['id'])
    if ip in _local(inventory, port, ip.version) and mac is None:
        # a VRRP address on the port's own network: for the whole group
        command = ('openstack', 'port', 'vip', 'add', source, '--port',
                   port['id'], '--dry-run')
    return Verdict('dropped', 'anti-spoofing drops it: %s is not a fixed '
                   'IP or an allowed address pair of the port%s' % (
                       source, '' if mac is None else
                       ' with MAC %s' % mac), command)
