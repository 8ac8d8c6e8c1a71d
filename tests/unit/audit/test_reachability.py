"""The paths in, one by one, and the look-alikes that are no path."""

import pytest

from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory
from xloudclient.audit import reachability
from xloudclient.audit.settings import Settings

FIP_CHECK = 'fip-exposes-sensitive-port'
PORT_CHECK = 'port-exposes-sensitive-port'


def _rule(rid, group='g', prefix='0.0.0.0/0', port=22, ethertype='IPv4'):
    return {'id': rid, 'security_group_id': group, 'project_id': 'p',
            'direction': 'ingress', 'ethertype': ethertype,
            'protocol': 'tcp', 'port_range_min': port,
            'port_range_max': port, 'remote_ip_prefix': prefix}


def _port(pid, address, subnet='s', groups=('g',), **kw):
    return dict({'id': pid, 'name': pid, 'project_id': 'p',
                 'network_id': 'n', 'device_owner': 'compute:nova',
                 'security_groups': list(groups),
                 'port_security_enabled': True,
                 'fixed_ips': [{'subnet_id': subnet,
                                'ip_address': address}]}, **kw)


def _interface(router, subnet, address):
    return {'id': 'if-%s-%s' % (router, subnet), 'project_id': 'p',
            'network_id': 'n', 'device_owner': 'network:router_interface',
            'device_id': router, 'security_groups': [],
            'fixed_ips': [{'subnet_id': subnet, 'ip_address': address}]}


def _router(rid, snat=True, gateway='ext'):
    info = {'network_id': gateway, 'enable_snat': snat} if gateway else None
    return {'id': rid, 'name': rid, 'project_id': 'p',
            'external_gateway_info': info}


def _inventory(ports, subnets=(('s', '10.0.0.0/24', 4),), routers=(),
               rules=(_rule('ssh'),), fips=(), scope=None, ext_scope=None,
               scoped=False, network=None):
    return Inventory(
        networks=[dict({'id': 'n', 'name': 'tenant', 'project_id': 'p',
                        'ipv4_address_scope': scope}, **(network or {})),
                  {'id': 'ext', 'name': 'public', 'project_id': 'admin',
                   'router:external': True,
                   'ipv4_address_scope': ext_scope}],
        subnets=[{'id': sid, 'network_id': 'n', 'project_id': 'p',
                  'cidr': cidr, 'ip_version': v}
                 for sid, cidr, v in subnets],
        ports=list(ports), routers=list(routers),
        security_groups=[{'id': 'g', 'name': 'g', 'project_id': 'p'},
                         {'id': 'h', 'name': 'h', 'project_id': 'p'},
                         {'id': 'none', 'name': 'none', 'project_id': 'p'}],
        security_group_rules=list(rules), floatingips=list(fips),
        scoped=scoped)


def _found(inventory, check):
    [chk] = catalog.select([check])
    found = chk.run(inventory, Settings())
    return [(f.resource_id, f.detail) for f in found]


def _fip(fid, port=None, fixed=None, forwardings=()):
    return {'id': fid, 'floating_ip_address': '198.51.100.7',
            'project_id': 'p', 'port_id': port, 'fixed_ip_address': fixed,
            'port_forwardings': list(forwardings)}


def _forward(protocol, outside, inside, port='vm', ranged=False):
    found = {'id': 'pf-%s' % outside, 'protocol': protocol,
             'internal_port_id': port, 'internal_ip_address': '10.0.0.5'}
    if ranged:
        found.update(internal_port_range=inside,
                     external_port_range=outside)
    elif inside is not None:
        found.update(internal_port=inside, external_port=outside)
    return found


def test_a_forwarding_to_ssh_is_a_path_in():
    inv = _inventory([_port('vm', '10.0.0.5')],
                     fips=[_fip('f', forwardings=[_forward('tcp', 2222, 22)])])
    assert _found(inv, FIP_CHECK) == [(
        'f', 'forwards tcp 2222 to 22 to port vm, open to anywhere for ssh')]
    [path] = reachability.paths_in(inv)['vm']
    assert (path.source, path.kind, path.protocol, path.lo, path.hi) == (
        'internet', 'port forwarding', 'tcp', 22, 22)


@pytest.mark.parametrize('forwarding, reported', [
    # a range that holds 22 inside
    (_forward('tcp', '2200:2230', '10:40', ranged=True), True),
    # the same range over udp, or not holding 22: no path to SSH
    (_forward('udp', '2200:2230', '10:40', ranged=True), False),
    (_forward('tcp', '18000:18010', '8000:8010', ranged=True), False),
    (_forward('tcp', 2222, 2222), False),
    # its ports not read (Neutron's list gives none for a range): unknown
    # adds a path, it never hides one
    (_forward('tcp', None, None), True),
    # to a port the audit did not read: nothing to judge
    (_forward('tcp', 2222, 22, port='elsewhere'), False),
])
def test_what_a_forwarding_carries(forwarding, reported):
    inv = _inventory([_port('vm', '10.0.0.5')],
                     fips=[_fip('f', forwardings=[forwarding])])
    assert bool(_found(inv, FIP_CHECK)) == reported


def test_a_vip_floating_ip_reaches_the_members_holding_the_vip():
    pair = [{'ip_address': '10.0.0.100'}]
    ports = [_port('vip-10.0.0.100', '10.0.0.100', groups=('none',),
                   device_owner=''),
             _port('a', '10.0.0.5', allowed_address_pairs=pair),
             _port('b', '10.0.0.6', groups=('none',),
                   allowed_address_pairs=[{'ip_address': '10.0.0.96/28'}]),
             # holds the address on another network: no path
             dict(_port('c', '10.1.0.5', allowed_address_pairs=pair),
                  network_id='other')]
    inv = _inventory(ports, fips=[_fip('f', port='vip-10.0.0.100',
                                       fixed='10.0.0.100')])
    assert _found(inv, FIP_CHECK) == [(
        'f', 'reaches VIP 10.0.0.100 held by port a, open to anywhere for '
             'ssh')]
    paths = reachability.paths_in(inv)
    assert [p.kind for p in paths['b']] == ['vip floating ip']
    assert 'c' not in paths
    # the reservation port itself is reached, and its groups admit nothing
    assert [p.kind for p in paths['vip-10.0.0.100']] == ['floating ip']


def test_a_member_with_port_security_off_is_reported():
    ports = [_port('vip', '10.0.0.100', groups=('none',)),
             _port('a', '10.0.0.5', port_security_enabled=False,
                   allowed_address_pairs=[{'ip_address': '10.0.0.100'}])]
    inv = _inventory(ports, fips=[_fip('f', port='vip', fixed='10.0.0.100')])
    assert _found(inv, FIP_CHECK) == [(
        'f', 'reaches VIP 10.0.0.100 held by port a, whose port security '
             'is off')]


@pytest.mark.parametrize('router, subnet, address, detail', [
    # SNAT off: tenant addresses routed as they are, private ones too
    (_router('r', snat=False), ('s', '10.0.0.0/24', 4), '10.0.0.5',
     'reachable by router r without SNAT (10.0.0.5); open to anywhere for '
     'ssh'),
    # SNAT on: NATed, a public address as well (look-alike)
    (_router('r'), ('s', '10.0.0.0/24', 4), '10.0.0.5', None),
    (_router('r'), ('s', '8.8.4.0/24', 4), '8.8.4.5', None),
    # a router without gateway routes nothing in (look-alike)
    (_router('r', snat=False, gateway=None), ('s', '10.0.0.0/24', 4),
     '10.0.0.5', None),
    # IPv6 is never NATed: a global address behind a router with a gateway
    (_router('r'), ('s', '2001:db8::/64', 6), '2001:db8::5',
     'reachable by global address 2001:db8::5 routed by router r; open to '
     'anywhere for ssh'),
    (_router('r'), ('s', 'fd00::/64', 6), 'fd00::5', None),
    (_router('r', gateway=None), ('s', '2001:db8::/64', 6), '2001:db8::5',
     None),
])
def test_routes_through_a_router(router, subnet, address, detail):
    v6 = subnet[2] == 6
    gateway = '2001:db8::1' if v6 and subnet[1].startswith('2') else \
        'fd00::1' if v6 else subnet[1].rsplit('.', 2)[0] + '.0.1'
    inv = _inventory([_port('vm', address),
                      _interface('r', 's', gateway)],
                     subnets=[subnet], routers=[router],
                     rules=[_rule('ssh', ethertype='IPv6' if v6 else 'IPv4',
                                  prefix='::/0' if v6 else '0.0.0.0/0')])
    assert _found(inv, PORT_CHECK) == ([('vm', detail)] if detail else [])


@pytest.mark.parametrize('scope, ext_scope, reported', [
    ('as-1', 'as-1', True),         # routed without NAT
    ('as-1', 'as-2', False),        # another scope: NATed
    (None, None, False),            # no scope: NATed
])
def test_a_subnet_in_the_gateways_address_scope(scope, ext_scope, reported):
    inv = _inventory([_port('vm', '10.0.0.5'),
                      _interface('r', 's', '10.0.0.1')],
                     routers=[_router('r')], scope=scope,
                     ext_scope=ext_scope)
    found = _found(inv, PORT_CHECK)
    assert bool(found) == reported
    if reported:
        assert found[0][1].startswith(
            'reachable by router r, in the address scope of its gateway '
            '(10.0.0.5)')


def test_a_public_address_on_an_isolated_network_is_no_path():
    ports = [_port('vm', '8.8.4.5'), _port('v6', '2001:db8::5', subnet='s6')]
    rules = [_rule('ssh'), _rule('ssh6', prefix='::/0', ethertype='IPv6')]
    subnets = [('s', '8.8.4.0/24', 4), ('s6', '2001:db8::/64', 6)]
    assert _found(_inventory(ports, subnets=subnets, rules=rules),
                  PORT_CHECK) == []
    # read for some projects only: an admin's router may serve it unseen
    scoped = _inventory(ports, subnets=subnets, rules=rules, scoped=True)
    assert _found(scoped, PORT_CHECK) == [
        ('vm', 'reachable by public address 8.8.4.5 (routing not read); '
               'open to anywhere for ssh'),
        ('v6', 'reachable by global address 2001:db8::5 (routing not '
               'read); open to anywhere for ssh')]


def test_a_project_audit_trusts_only_the_interface_holding_the_gateway():
    # a member's port claiming to be its NATed router's interface on a
    # public subnet does not hide a router of an admin the audit cannot see
    subnets = [('s', '8.8.4.0/24', 4)]
    fake = _interface('r', 's', '8.8.4.50')
    inv = _inventory([_port('vm', '8.8.4.5'), fake], subnets=subnets,
                     routers=[_router('r')], scoped=True)
    inv.subnets[0]['gateway_ip'] = '8.8.4.1'
    assert _found(inv, PORT_CHECK) == [
        ('vm', 'reachable by public address 8.8.4.5 (routing not read); '
               'open to anywhere for ssh')]
    # the router read holds the gateway: it routes the subnet, with SNAT
    inv = _inventory([_port('vm', '8.8.4.5'),
                      _interface('r', 's', '8.8.4.1')], subnets=subnets,
                     routers=[_router('r')], scoped=True)
    inv.subnets[0]['gateway_ip'] = '8.8.4.1'
    assert _found(inv, PORT_CHECK) == []
    # a router not read, holding the gateway, is no proof either
    inv = _inventory([_port('vm', '8.8.4.5'),
                      _interface('r', 's', '8.8.4.1')], subnets=subnets,
                     scoped=True)
    inv.subnets[0]['gateway_ip'] = '8.8.4.1'
    [(_, detail)] = _found(inv, PORT_CHECK)
    assert detail.startswith('reachable by 8.8.4.5 (router r not read)')


def test_an_interface_of_a_router_not_read_is_routing_not_read():
    inv = _inventory([_port('vm', '8.8.4.5'),
                      _interface('ghost', 's', '8.8.4.1')],
                     subnets=[('s', '8.8.4.0/24', 4)])
    [(_, detail)] = _found(inv, PORT_CHECK)
    assert detail.startswith('reachable by 8.8.4.5 (router ghost not read)')
    # a private address behind it is not reached from the internet
    inv = _inventory([_port('vm', '10.0.0.5'),
                      _interface('ghost', 's', '10.0.0.1')])
    assert _found(inv, PORT_CHECK) == []


@pytest.mark.parametrize('kind, address, reported', [
    ('vlan', '8.8.4.5', True), ('flat', '8.8.4.5', True),
    ('vlan', '10.0.0.5', False), ('geneve', '8.8.4.5', False)])
def test_a_provider_network(kind, address, reported):
    inv = _inventory([_port('vm', address)],
                     subnets=[('s', address.rsplit('.', 1)[0] + '.0/24', 4)],
                     network={'provider:network_type': kind})
    found = _found(inv, PORT_CHECK)
    assert bool(found) == reported
    if reported:
        assert found[0][1].startswith(
            'reachable by provider network tenant (%s, %s)' % (kind,
                                                               address))


def test_a_name_with_a_percent_sign_is_only_a_name():
    router = dict(_router('r', snat=False), name='50%s off %d')
    inv = _inventory([_port('vm', '10.0.0.5'),
                      _interface('r', 's', '10.0.0.1')], routers=[router])
    [(_, detail)] = _found(inv, PORT_CHECK)
    assert detail.startswith('reachable by router 50%s off %d without SNAT '
                             '(10.0.0.5)')


def test_what_a_port_may_send_as():
    port = _port('vm', '10.0.0.5', mac_address='fa:16:3e:00:00:01',
                 allowed_address_pairs=[
                     {'ip_address': '10.0.0.100'},
                     {'ip_address': '10.0.0.101',
                      'mac_address': 'fa:16:3e:00:00:02'}])
    assert reachability.sends_as(port) == [
        ('10.0.0.5', 'fa:16:3e:00:00:01', 'fixed IP'),
        ('10.0.0.100', 'fa:16:3e:00:00:01', 'allowed address pair'),
        ('10.0.0.101', 'fa:16:3e:00:00:02', 'allowed address pair')]


def test_a_project_audit_walks_every_ports_addresses():
    # an admin may add a subnet of another project to the project's
    # network: a project audit does not read it, and a public address on
    # it is taken as reached, though the network's other subnets are quiet
    ports = [_port('vm', '8.8.4.5', subnet='admins')]
    assert _found(_inventory(ports, scoped=True), PORT_CHECK) == [
        ('vm', 'reachable by public address 8.8.4.5 (routing not read); '
               'open to anywhere for ssh')]
    # a network not read at all (another project's): its paths unknown
    foreign = [dict(_port('vm', '8.8.4.5', subnet='theirs'),
                    network_id='theirs')]
    assert len(_found(_inventory(foreign), PORT_CHECK)) == 1
