"""Every path in: how traffic reaches each port and from where, what the
port's groups admit over each path, and what the port may send as.

A path is a source and an entry. From the internet:

- a floating IP on the port;
- a floating IP's port forwarding to the port (its protocol and the
  internal ports it forwards to: the ports as the instance sees them);
- a floating IP on a VIP's reservation port, reaching the members that
  hold the VIP as an allowed address pair (they answer for it);
- a fixed IP on an external network (any address), or a public one on a
  provider network (flat or VLAN: the physical network routes it);
- a subnet behind a router with a gateway that does not NAT it: SNAT off
  (addresses routed as they are), or the subnet in the external
  network's address scope; a global IPv6 address (IPv6 is never NATed).

Look-alikes that are no path: a public address on a network no router
serves (isolated), a public IPv4 address behind a router that does SNAT
outside the external network's address scope, a router without gateway.
When the audit could not read what decides (the router of an interface,
the subnets of a network outside the projects audited), a public address
is taken as reached ("routing not read"): what is unknown adds a path,
never hides one. A project can fake a router interface or a VIP pair on
its own network: each only adds paths.

From inside the cloud (worked out for one port, by explain): the port's
own network, other projects on a shared network, and other projects'
ports joining a remote group shared through RBAC.

What the port's groups admit over a path is the union of the ingress
rules of all its groups (audit/reach.py: every spelling of "any
protocol", address groups), within what the path carries (a forwarding's
protocol and ports). Built once per inventory; the checks read it.
"""

import typing

import netaddr

from xloudclient.audit import reach
from xloudclient.audit import values as values_mod

INTERNET = 'internet'
OWN_NETWORK = 'own network'
OTHER_PROJECTS = 'other projects'

FLOATING_IP = 'floating ip'
FORWARDING = 'port forwarding'
VIP = 'vip floating ip'
EXTERNAL = 'external network'
PROVIDER = 'provider network'
NO_SNAT = 'router without snat'
SCOPE = 'address scope'
GLOBAL_V6 = 'global ipv6'
UNREAD = 'routing not read'
# The kinds a floating IP makes (fip-exposes-sensitive-port reports them
# on the floating IP); the others are direct (port-exposes-...).
THROUGH_FLOATING_IP = (FLOATING_IP, FORWARDING, VIP)
PHYSICAL = ('flat', 'vlan')
FORWARDED = ('tcp', 'udp')


class Path(typing.NamedTuple):
    """One way in: from source, by entry (the words a person reads),
    reaching the port's address; via is the resource that makes it (a
    floating IP, router or network); a forwarding carries protocol and
    the internal ports lo-hi only. (A named tuple: the model makes one
    per floating IP and per address reached.)"""

    source: str
    kind: str
    entry: str
    version: int
    address: str = ''
    via: str = ''
    protocol: str = None
    lo: int = 1
    hi: int = 65535
    key: str = ''

    def carries(self, protocol, lo, hi):
        """Whether the path carries protocol ('tcp', 'udp', 'both')
        to any of ports lo-hi."""
        if self.protocol is None:
            return True
        if protocol not in (self.protocol, 'both'):
            return False
        return self.lo <= hi and lo <= self.hi


def paths_in(inventory):
    """{port ID: [Path from the internet]}, built once per inventory."""
    memo = inventory.memo
    if 'paths_in' not in memo:
        memo['paths_in'] = _build(inventory)
    return memo['paths_in']


def _build(inventory):
    digest = inventory.port_digest
    pairs, attached = _port_index(digest)
    found = {}
    for port_id, path in _through_floating_ips(inventory, pairs):
        found.setdefault(port_id, []).append(path)
    routes = _routes(inventory, attached)
    nets = inventory.networks_by_id
    cold = _cold_networks(inventory, routes)
    unread = {}                     # network ID: _unread's paths
    # the common case, skipped at listcomp speed: no way in
    for port in [p for p in inventory.ports
                 if p.get('network_id') not in cold]:
        for fixed in port.get('fixed_ips') or ():
            known = routes.get(fixed.get('subnet_id'))
            address = fixed.get('ip_address')
            if known == () or not isinstance(address, str) or not address:
                continue
            if known is None:       # a subnet not read
                net_id = port.get('network_id')
                if net_id not in unread:
                    unread[net_id] = _unread(nets.get(net_id) or {})
                known = unread[net_id]
            v = 6 if ':' in address else 4
            for path in known:
                if path.version == v and (path.kind in ANY_ADDRESS or
                                          reach.is_public(address)):
                    found.setdefault(port['id'], []).append(
                        path._replace(address=address,
                                      entry=path.entry % address))
    return found


def _cold_networks(inventory, routes):
    """The networks read whose every subnet read has no way in: their
    ports are skipped without walking their nested fixed IPs (a walk over
    every port's costs more than the rest of the model). A network of no
    subnet read, or not read at all (another project's, in a project
    audit), is not cold; nor is any in a project audit (an admin may have
    added a subnet of another project to the project's network)."""
    if inventory.scoped:
        return set()
    hot, cold = set(), set()
    for subnet in inventory.subnets:
        (hot if routes.get(subnet['id']) else cold).add(
            subnet.get('network_id'))
    return (cold - hot) & inventory.networks_by_id.keys()


def _port_index(digest):
    """({network ID: [(pair's network, port)]},
    {subnet ID: {(router ID, address)}}): the allowed address pairs, and
    the routers' interfaces."""
    pairs, attached = {}, {}
    for port in digest.paired:
        for pair in port['allowed_address_pairs']:
            try:
                net = values_mod.network((pair or {}).get('ip_address'))
            except (values_mod.Unreadable, AttributeError):
                continue
            pairs.setdefault(port.get('network_id'), []).append((net, port))
    for port in digest.interfaces:
        for fixed in port.get('fixed_ips') or ():
            attached.setdefault(fixed.get('subnet_id'), set()).add(
                (port.get('device_id'), fixed.get('ip_address')))
    return pairs, attached


# Kinds that reach any address (others: public addresses only).
ANY_ADDRESS = (EXTERNAL, NO_SNAT, SCOPE)


def _through_floating_ips(inventory, pairs):
    """(port ID, Path) of every floating IP: on the port, on a VIP the
    port holds (pairs: _port_index's), forwarded to the port."""
    ports = inventory.ports_by_id
    for fip in inventory.floatingips:
        public = fip.get('floating_ip_address') or ''
        port = ports.get(fip.get('port_id'))
        if port is not None:
            fixed = fip.get('fixed_ip_address') or ''
            yield port['id'], Path(INTERNET, FLOATING_IP,
                                   'floating IP %s' % public, 4, fixed,
                                   fip['id'])
            for member in _holders(pairs, port.get('network_id'), fixed):
                if member['id'] != port['id']:
                    yield member['id'], Path(
                        INTERNET, VIP, 'floating IP %s to VIP %s (port %s)'
                        % (public, fixed, port.get('name') or port['id']),
                        4, fixed, fip['id'], key='VIP %s' % member['id'])
        for forwarding in fip.get('port_forwardings') or ():
            if not isinstance(forwarding, dict) or \
                    forwarding.get('internal_port_id') not in ports:
                continue
            protocol, (lo, hi), outside = forwarded(forwarding)
            yield forwarding['internal_port_id'], Path(
                INTERNET, FORWARDING, 'port forwarding %s %s %s to %s'
                % (public, protocol or 'any protocol', outside,
                   _ports((lo, hi))),
                4, forwarding.get('internal_ip_address') or '', fip['id'],
                protocol if protocol in FORWARDED else None, lo, hi,
                key='forwarding %s %s' % (protocol, outside))


def forwarded(forwarding):
    """(protocol, (first, last) internal port, external ports as text) of
    a port forwarding; every port when Neutron's list did not say which
    (a range, before the floating IP's own list was read): unknown adds."""
    protocol = str(forwarding.get('protocol') or '').lower() or None
    inside = _range(forwarding.get('internal_port_range'),
                    forwarding.get('internal_port'))
    outside = _range(forwarding.get('external_port_range'),
                     forwarding.get('external_port'))
    return protocol, inside or (1, 65535), _ports(outside) if outside \
        else 'any port'


def _ports(first_last):
    first, last = first_last
    return '%d' % first if first == last else '%d:%d' % (first, last)


def _range(text, single):
    """(first, last) of '8000:8010' or of a single port; None if
    neither reads."""
    try:
        if text:
            first, _, last = str(text).partition(':')
            return int(first), int(last or first)
        if single is not None:
            return int(single), int(single)
    except (TypeError, ValueError):
        pass
    return None


def _holders(pairs, network_id, address):
    """The ports of the network holding the address as an allowed
    address pair (a host or a prefix)."""
    held = pairs.get(network_id)
    if not held:
        return []                   # the common case: no pairs there
    try:
        ip = netaddr.IPAddress(address)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        return []
    return [p for net, p in held if net.version == ip.version and ip in net]


def _routes(inventory, attached):
    """{subnet ID: (Path, ...)} from the internet to the subnet's
    addresses (their entry holds %s for the address), given the routers
    attached to each subnet."""
    nets = inventory.networks_by_id
    routers = inventory.by_type('routers')
    found = {}
    for subnet in inventory.subnets:
        net = nets.get(subnet.get('network_id')) or {}
        v = 6 if subnet.get('ip_version') == 6 or ':' in str(
            subnet.get('cidr') or '') else 4
        # most subnets: on no external or provider network, no router
        paths = list(_network_routes(net, v)) if net.get(
            'router:external') is True or net.get(
                'provider:network_type') in PHYSICAL else []
        interfaces = attached.get(subnet['id'], ())
        for router_id in sorted({r for r, _ in interfaces}, key=str):
            path = _router_route(net, routers.get(router_id), router_id,
                                 nets, v)
            if path is not None:
                paths.append(path)
        if not paths and inventory.scoped and not _gateway_held(
                subnet, interfaces, routers):
            # an admin's router may serve it, unseen from the projects read
            paths = [_unread_path(v)]
        found[subnet['id']] = tuple(paths)
    return found


def _gateway_held(subnet, interfaces, routers):
    """Whether a router read holds the subnet's gateway address: what a
    project audit trusts to say its router, not one it cannot see, routes
    the subnet. A member can fake an interface port of its own router on
    its own network; faking this one takes the gateway address, which no
    router unseen then holds (own_ports' rule for router interfaces)."""
    gateway = subnet.get('gateway_ip')
    return bool(gateway) and any(
        router_id in routers and address == gateway
        for router_id, address in interfaces)


def _network_routes(net, v):
    name = net.get('name') or net.get('id') or ''
    if net.get('router:external') is True:
        yield Path(INTERNET, EXTERNAL, 'external network %s (%%s)'
                   % name.replace('%', '%%'), v, via=net.get('id', ''))
    elif net.get('provider:network_type') in PHYSICAL:
        yield Path(INTERNET, PROVIDER, 'provider network %s (%s, %%s)'
                   % (name.replace('%', '%%'),
                      net['provider:network_type']), v,
                   via=net.get('id', ''))


def _router_route(net, router, router_id, nets, v):
    """The path in through one router of a subnet of net, or None (no
    gateway; IPv4 NATed outside the external network's scope)."""
    if router is None:
        return Path(INTERNET, UNREAD, '%%s (router %s not read)'
                    % str(router_id).replace('%', '%%'), v,
                    via=str(router_id or ''))
    gateway = router.get('external_gateway_info') or {}
    if not isinstance(gateway, dict) or not gateway.get('network_id'):
        return None
    name = (router.get('name') or router['id']).replace('%', '%%')
    if v == 6:
        return Path(INTERNET, GLOBAL_V6, 'global address %%s routed by '
                    'router %s' % name, 6, via=router['id'])
    if gateway.get('enable_snat') is False:
        return Path(INTERNET, NO_SNAT, 'router %s without SNAT (%%s)'
                    % name, 4, via=router['id'])
    scope = net.get('ipv4_address_scope')
    external = nets.get(gateway['network_id'])
    if scope and external is None:
        return Path(INTERNET, UNREAD, '%%s (address scope of router %s\'s '
                    'gateway not read)' % name, 4, via=router['id'])
    if scope and scope == external.get('ipv4_address_scope'):
        return Path(INTERNET, SCOPE, 'router %s, in the address scope '
                    'of its gateway (%%s)' % name, 4, via=router['id'])
    return None


def _unread(net):
    """The paths to a fixed IP on a subnet the audit did not read: its
    network's own (external, provider), else routing not read."""
    return tuple(p for v in (4, 6) for p in (
        tuple(_network_routes(net, v)) or
        (_unread_path(v),)))


def _unread_path(v):
    return Path(INTERNET, UNREAD, '%s address %%s (routing not read)' % (
        'global' if v == 6 else 'public'), v)


def services_through(path, services):
    """The services (name, protocol, first, last) the path carries,
    narrowed to what it forwards."""
    if path.protocol is None:
        return services
    found = []
    for name, protocol, lo, hi in services:
        if path.carries(protocol, lo, hi):
            found.append((name, path.protocol, max(lo, path.lo),
                          min(hi, path.hi)))
    return tuple(found)


def opened(inventory, port, path, services):
    """[(rule, service names)] the port's groups open from anywhere over
    the path (reach.exposed within what the path carries)."""
    carried = services_through(path, services)
    if not carried:
        return []
    return reach.exposed(inventory, port, carried, path.version)


def sends_as(port):
    """[(address or prefix, MAC or None for the port's own, how)]: what
    anti-spoofing lets the port send as."""
    mac = port.get('mac_address')
    found = [(f.get('ip_address'), mac, 'fixed IP')
             for f in port.get('fixed_ips') or () if f.get('ip_address')]
    for pair in port.get('allowed_address_pairs') or ():
        if isinstance(pair, dict) and pair.get('ip_address'):
            found.append((pair['ip_address'], pair.get('mac_address') or mac,
                          'allowed address pair'))
    return found
