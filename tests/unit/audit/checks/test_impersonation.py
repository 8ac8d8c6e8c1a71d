import pytest

from tests.unit.audit.checks.helpers import run

CHECK = 'aap-impersonates'
SUBNETS = [{'id': 's1', 'name': 'web-subnet', 'network_id': 'n',
            'cidr': '10.0.0.0/24', 'gateway_ip': '10.0.0.1'},
           {'id': 's2', 'name': 'other', 'network_id': 'm',
            'cidr': '10.0.0.0/24', 'gateway_ip': '10.0.0.1'}]


def _port(pid, address, pairs=(), project='p', network='n', **kw):
    return dict({'id': pid, 'name': pid, 'project_id': project,
                 'network_id': network, 'device_owner': '',
                 'device_id': 'vm-' + pid,
                 'fixed_ips': [{'subnet_id': 's1', 'ip_address': address}],
                 'allowed_address_pairs': [{'ip_address': a}
                                           for a in pairs]}, **kw)


def _run(ports):
    return run(CHECK, ports=ports, subnets=SUBNETS)


def _reservation(address, project='p'):
    return _port('res', address, project=project, name='vip-' + address,
                 device_owner='xloud:vip', device_id='')


def test_a_pair_holding_a_neighbours_address():
    ports = [_port('a', '10.0.0.5', ['10.0.0.6']),
             _port('b', '10.0.0.6', project='q')]
    [found] = _run(ports)
    assert (found.resource_id, found.severity, found.key) == (
        'a', 'high', '10.0.0.6')
    assert found.detail == 'pair 10.0.0.6: may answer as port b (project q)'
    assert found.remediation == (
        'openstack port unset --allowed-address ip-address=10.0.0.6 a')


def test_a_neighbour_of_its_own_project_is_medium():
    ports = [_port('a', '10.0.0.5', ['10.0.0.6/32']),
             _port('b', '10.0.0.6', device_owner='network:dhcp')]
    [found] = _run(ports)
    assert found.severity == 'medium'
    assert found.detail == ('pair 10.0.0.6/32: may answer as port b '
                            '(network:dhcp, same project)')


def test_the_gateway_is_the_router_not_its_interface_port():
    ports = [_port('a', '10.0.0.5', ['10.0.0.1']),
             _port('r', '10.0.0.1', project='admin',
                   device_owner='network:router_interface')]
    [found] = _run(ports)
    assert found.severity == 'high'
    assert found.detail == ('pair 10.0.0.1: may answer as the gateway of '
                            'subnet web-subnet (the router)')
    # no port holding it: still the router's address
    [found] = _run(ports[:1])
    assert 'the gateway of subnet web-subnet' in found.detail


def test_a_prefix_names_every_neighbour_and_the_gateway_in_it():
    ports = [_port('a', '10.0.0.5', ['10.0.0.0/29']),
             _port('b', '10.0.0.6'), _port('c', '10.0.0.9')]
    [found] = _run(ports)
    assert found.detail == ('pair 10.0.0.0/29: may answer as the gateway of '
                            'subnet web-subnet (the router) and port b '
                            '(same project)')


def test_the_vip_of_its_own_reservation_is_quiet():
    members = [_port('a', '10.0.0.5', ['10.0.0.100']),
               _port('b', '10.0.0.6', ['10.0.0.100'])]
    assert _run(members + [_reservation('10.0.0.100')]) == []


@pytest.mark.parametrize('lookalike', [
    _reservation('10.0.0.100', project='q'),          # another project's
    dict(_reservation('10.0.0.100'), device_id='vm-x'),  # a device behind
    dict(_reservation('10.0.0.100'), name='vip-10.0.0.101')])
def test_a_reservation_look_alike_is_a_neighbour(lookalike):
    [found] = _run([_port('a', '10.0.0.5', ['10.0.0.100']), lookalike])
    assert 'may answer as port vip-10.0.0.10' in found.detail


@pytest.mark.parametrize('ports', [
    # its own address, another network's port, an address no port holds
    [_port('a', '10.0.0.5', ['10.0.0.5'])],
    [_port('a', '10.0.0.5', ['10.0.0.6']),
     _port('b', '10.0.0.6', network='m')],
    [_port('a', '10.0.0.5', ['10.0.0.77'])],
    # /0 is aap-any-address's; an unreadable pair value-unreadable's
    [_port('a', '10.0.0.5', ['0.0.0.0/0']), _port('b', '10.0.0.6')],
    [_port('a', '10.0.0.5', ['10.0.0.6/33']), _port('b', '10.0.0.6')],
    # IPv6 pair, IPv4 neighbour
    [_port('a', '10.0.0.5', ['::ffff:10.0.0.6']), _port('b', '10.0.0.6')]])
def test_look_alikes_are_quiet(ports):
    assert _run(ports) == []


def test_an_unnamed_neighbour_is_named_by_its_address():
    ports = [_port('a', '10.0.0.5', ['10.0.0.6']),
             _port('b', '10.0.0.6', name='', device_owner='network:dhcp')]
    [found] = _run(ports)
    assert found.detail == ('pair 10.0.0.6: may answer as port at 10.0.0.6 '
                            '(network:dhcp, same project)')


def test_neighbours_are_named_in_the_order_of_their_names():
    ports = [_port('a', '10.0.0.5', ['10.0.0.0/29']),
             _port('z9', '10.0.0.6', name='alpha'),
             _port('a1', '10.0.0.7', name='zulu')]
    [found] = _run(ports)
    assert found.detail.endswith(
        'and port alpha (same project), zulu (same project)')
