"""Addresses a port may impersonate through its allowed address pairs.

Anti-spoofing lets a port send and answer as its pairs' addresses. A pair
holding another port's fixed IP on the same network lets it answer as
that neighbour (ARP and neighbour discovery go to whoever answers first);
one holding a subnet's gateway address lets it answer as the router. A
VIP held by the members of its reservation (what `port vip add` makes:
the reservation holds the address so that no instance gets it) is no
neighbour: the reservation is of the members' own project and has no
device behind it. /0 pairs are aap-any-address's.
"""

import functools

from xloudclient.audit.checks import address_pairs
from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import reservations
from xloudclient.audit import values


def _addresses(inventory, networks):
    """{network ID: {fixed IP as Neutron writes it: [port]}} of the ports
    on the networks (Neutron writes an address in one canonical form; an
    address a pair holds is compared in that form)."""
    found = {}
    for port in [p for p in inventory.ports
                 if p.get('network_id') in networks]:
        held = found.setdefault(port['network_id'], {})
        for fixed in port.get('fixed_ips') or ():
            held.setdefault(fixed.get('ip_address'), []).append(port)
    return found


def _gateways(inventory, networks):
    """{network ID: {gateway address: [subnet]}}."""
    found = {}
    for subnet in inventory.subnets:
        if subnet.get('network_id') in networks and subnet.get('gateway_ip'):
            found.setdefault(subnet['network_id'], {}).setdefault(
                subnet['gateway_ip'], []).append(subnet)
    return found


def _in(span, held, parsed):
    """The values of held (by address text) whose address is in span
    (_span's): one lookup for a host; for a prefix, a walk of held's
    addresses as numbers (parsed: {id(held): [(version, number,
    values)]}, each held parsed once)."""
    version, first, last, host = span
    if host is not None:
        return list(held.get(host, ()))
    numbers = parsed.get(id(held))
    if numbers is None:
        numbers = parsed[id(held)] = list(_numbers(held))
    return [item for v, number, items in numbers
            if v == version and first <= number <= last for item in items]


@functools.lru_cache(maxsize=4096)
def _span(text):
    """(version, first, last, the address as Neutron writes it or None
    for a prefix) of a pair's address (read once per distinct text)."""
    net = values.network(text)
    return (net.version, net.first, net.last,
            str(net.ip) if net.size == 1 else None)


def _numbers(held):
    for address, items in held.items():
        try:
            ip = values.network(address)
        except values.Unreadable:
            continue                # value-unreadable's, if Neutron's
        # an address's network holds it alone: its value is the address
        yield ip.version, ip.value, items


@check('aap-impersonates', 'high',
       "an allowed address pair holding another port's fixed IP on the "
       "same network (the port may answer as that neighbour) or a "
       "subnet's gateway address (as the router); a VIP held by the "
       'members of its reservation is not one (medium: only neighbours '
       "of the port's own project)",
       needs=('ports', 'subnets'), extensions=address_pairs.EXT)
def impersonates(inventory, settings):
    paired = []
    for port, pair, length, _ in address_pairs.pairs(inventory):
        if length:                  # /0: aap-any-address
            paired.append((port, pair, _span(pair['ip_address'])))
    networks = {port.get('network_id') for port, _, _ in paired}
    if not networks:
        return
    addresses = _addresses(inventory, networks)
    gateways = _gateways(inventory, networks)
    parsed, nothing, routing = {}, {}, {}
    for port, pair, span in paired:
        network = port.get('network_id')
        taken = gateways.get(network, nothing)
        held = addresses.get(network, nothing)
        if network not in routing:  # the routers' interfaces: the gateway
            routing[network] = {p['id'] for address in taken
                                for p in held.get(address, ())}
        skip = routing[network]
        routers = _in(span, taken, parsed)
        neighbours = sorted(
            {p['id']: p for p in _in(span, held, parsed)
             if p['id'] != port['id'] and p['id'] not in skip and
             not _reservation(p, port, span)}.values(),
            key=lambda p: (p.get('name') or '', p['id']))   # as read
        if routers or neighbours:
            yield _hit(port, pair, routers, neighbours)


def _reservation(neighbour, port, span):
    """Whether the neighbour is the reservation of the port's VIP."""
    return span[3] is not None and reservations.is_reservation(
        neighbour, span[3], port.get('project_id'))


def _hit(port, pair, routers, neighbours):
    words = []
    if routers:
        words.append('the gateway of subnet %s (the router)' % (
            registry.listing(s.get('name') or s['id'] for s in routers)))
    if neighbours:
        words.append('port %s' % registry.listing(
            '%s (%s)' % (_named(p), _whose(p, port)) for p in neighbours))
    own = not routers and all(
        (p.get('project_id') or '') == (port.get('project_id') or '')
        for p in neighbours)
    detail = 'pair %s: may answer as %s' % (pair['ip_address'],
                                            ' and '.join(words))
    return Hit('port', port, detail,
               address_pairs.unset_command(port, pair),
               severity='medium' if own else None,
               key=pair['ip_address'],
               basis=('gateways',) + tuple(sorted(s['id'] for s in routers))
               + ('ports',) + tuple(p['id'] for p in neighbours))


def _named(neighbour):
    """A neighbour by name; unnamed (as Neutron's own ports are), by its
    addresses: a table wraps an ID at its hyphens."""
    return neighbour.get('name') or 'at %s' % ', '.join(
        str(f.get('ip_address')) for f in neighbour.get('fixed_ips') or ())


def _whose(neighbour, port):
    owner = neighbour.get('device_owner') or ''
    project = neighbour.get('project_id') or ''
    mine = project == (port.get('project_id') or '')
    return '%s%s' % (owner + ', ' if owner else '',
                     'same project' if mine else 'project %s' % project)
