"""own_ports: a port is Neutron's own only on evidence its project could
not have written; a claimed network: owner alone is not evidence."""

import pytest

from tests.unit.audit.checks.helpers import run
from xloudclient.audit import inventory
from xloudclient.audit import own_ports

NETS = [{'id': 'own-net', 'project_id': 'p'},
        {'id': 'public', 'project_id': 'admin', 'router:external': True},
        {'id': 'shared', 'project_id': 'admin', 'shared': True}]
SUBNETS = [{'id': 's1', 'network_id': 'own-net', 'project_id': 'p',
            'gateway_ip': '10.0.0.1'}]
ROUTERS = [{'id': 'r1', 'project_id': 'p'}]


def _port(owner, network='own-net', project='p', device='', ip='10.0.0.7',
          subnet='s1'):
    return {'id': 'x', 'project_id': project, 'network_id': network,
            'device_owner': owner, 'device_id': device,
            'port_security_enabled': False, 'security_groups': [],
            'fixed_ips': [{'subnet_id': subnet, 'ip_address': ip}],
            'tags': []}


def _inv(*ports, **kw):
    return inventory.Inventory(
        ports=list(ports), networks=kw.get('networks', NETS),
        subnets=SUBNETS, routers=kw.get('routers', ROUTERS))


@pytest.mark.parametrize('port, own', [
    # Neutron made these: no project, or a network the project does not own
    (_port('network:floatingip', 'public', project=''), True),
    (_port('network:router_gateway', 'public', project=''), True),
    (_port('network:dhcp', 'shared'), True),
    (_port('network:dhcp', 'elsewhere'), True),   # not read: not p's
    # a router's interface: its router, its subnet's gateway address
    (_port('network:router_interface', device='r1', ip='10.0.0.1'), True),
    (_port('network:router_interface_distributed', device='r1',
           ip='10.0.0.1'), True),
    # claims a project can write on its own network
    (_port('network:dhcp'), False),
    (_port('network:floatingip'), False),
    (_port('network:router_gateway', device='r1'), False),
    (_port('network:xyz'), False),
    (_port('network:router_interface'), False),
    (_port('network:router_interface', device='r1'), False),  # not gateway
    (_port('network:router_interface', device='r2', ip='10.0.0.1'), False),
    (_port('network:router_interface', device='r1', ip='10.0.0.1',
           subnet='s9'), False),
    (_port('compute:nova'), False),
    (_port(''), False),
    (_port('compute:nova', 'public', project=''), False),
])
def test_what_counts_as_neutrons_own(port, own):
    assert own_ports.is_neutron_own(_inv(port), port) is own


@pytest.mark.parametrize('owner', ['network:dhcp', 'network:floatingip',
                                   'network:router_interface',
                                   'network:xyz'])
def test_a_claimed_owner_is_reported_with_port_security_off(owner):
    [found] = run('port-security-disabled', ports=[_port(owner)],
                  networks=NETS, subnets=SUBNETS, routers=ROUTERS)
    assert found.detail == (
        "port security off, no exception record (claims %s, not verified "
        "as Neutron's own)" % owner)


def test_a_claimed_owner_does_not_hide_an_exposure():
    # behind a router without SNAT: reached
    port = dict(_port('network:dhcp', ip='45.0.0.5'),
                port_security_enabled=True, security_groups=['g'])
    interface = dict(_port('network:router_interface', device='r1',
                           ip='10.0.0.1'), id='if')
    router = {'id': 'r1', 'project_id': 'p', 'external_gateway_info': {
        'network_id': 'public', 'enable_snat': False}}
    [found] = run('port-exposes-sensitive-port', ports=[port, interface],
                  networks=NETS, subnets=SUBNETS, routers=[router],
                  security_groups=[{'id': 'g', 'project_id': 'p'}],
                  security_group_rules=[{
                      'id': 'ssh', 'security_group_id': 'g',
                      'direction': 'ingress', 'ethertype': 'IPv4',
                      'protocol': 'tcp', 'port_range_min': 22,
                      'port_range_max': 22,
                      'remote_ip_prefix': '0.0.0.0/0'}])
    assert found.detail.endswith(
        "(claims network:dhcp; not verified as Neutron's own)")
    assert 'router r1 without SNAT (45.0.0.5)' in found.detail


def test_a_real_router_interface_is_not_reported():
    port = _port('network:router_interface', device='r1', ip='10.0.0.1')
    assert run('port-security-disabled', ports=[port], networks=NETS,
               subnets=SUBNETS, routers=ROUTERS) == []


NET = 'own-net'
META = 'ovnmeta-' + NET
HOST = 'net-1.example.org'
# What Neutron's DHCP agent on HOST names its port (computed independently
# of own_ports: uuid5 of the short host name in the DNS namespace).
DHCP_ID = 'dhcp%s-%s' % (
    __import__('uuid').uuid5(__import__('uuid').NAMESPACE_DNS, 'net-1'), NET)


def _service(owner, device, port_id='x', groups=(), **binding):
    port = dict(_port(owner, device=device), id=port_id,
                security_groups=list(groups))
    port.update({'binding:' + k: v for k, v in binding.items()})
    return port


@pytest.mark.parametrize('port, own', [
    # OVN's metadata port as an admin reads it: unbound
    (_service('network:distributed', META, host_id=''), True),
    # bound to a host: an instance's port, whatever it says
    (_service('network:distributed', META, host_id='compute-7'), False),
    # not its network's metadata device, or with groups Neutron never sets
    (_service('network:distributed', 'ovnmeta-other', host_id=''), False),
    (_service('network:distributed', 'vm-1', host_id=''), False),
    (_service('network:distributed', META, groups=['g'], host_id=''),
     False),
    (_service('network:distributed', META), True),    # a member's view
    # the DHCP agent's port: bound to the host its device_id names
    (_service('network:dhcp', DHCP_ID, host_id=HOST), True),
    (_service('network:dhcp', DHCP_ID, host_id='net-1'), True),
    (_service('network:dhcp', DHCP_ID + '-101', host_id=HOST), True),
    (_service('network:dhcp', DHCP_ID, host_id='compute-7'), False),
    (_service('network:dhcp', DHCP_ID, host_id=''), False),
    (_service('network:dhcp', DHCP_ID + '-x1', host_id=HOST), False),
    (_service('network:dhcp', 'dhcp-anything', host_id=HOST), False),
    # a member's view: the device_id of a DHCP port of this network
    (_service('network:dhcp', DHCP_ID), True),
    (_service('network:dhcp', DHCP_ID + '-101'), True),
    (_service('network:dhcp', DHCP_ID.replace(NET, 'other')), False),
    (_service('network:dhcp', 'dhcpnot-a-uuid-' + NET), False),
    (_service('network:dhcp', DHCP_ID + '-x'), False),
])
def test_a_networks_service_port_on_evidence_the_project_cannot_write(
        port, own):
    assert own_ports.is_neutron_own(_inv(port), port) is own


def test_a_member_sees_one_metadata_port_per_network_the_one_neutron_uses():
    # Two ports of the metadata shape: Neutron uses the lowest ID; the
    # other is a project's imitation, reported.
    real = _service('network:distributed', META, port_id='1111')
    copy = _service('network:distributed', META, port_id='9999')
    inv = _inv(copy, real)
    assert own_ports.is_neutron_own(inv, real) is True
    assert own_ports.is_neutron_own(inv, copy) is False
    # An admin reads the binding instead: both unbound, both Neutron's
    # metadata shape on their network, neither an instance's.
    admin = [dict(p, **{'binding:host_id': ''}) for p in (copy, real)]
    inv = _inv(*admin)
    assert all(own_ports.is_neutron_own(inv, p) for p in admin)


def test_the_audit_is_quiet_on_service_ports_and_reports_look_alikes():
    ports = [_service('network:distributed', META, port_id='a',
                      host_id=''),
             _service('network:distributed', META, port_id='b',
                      host_id='compute-1'),
             _service('network:dhcp', DHCP_ID, port_id='c', host_id=HOST),
             _service('network:dhcp', DHCP_ID, port_id='d',
                      host_id='compute-1')]
    found = run('port-security-disabled', ports=ports, networks=NETS,
                subnets=SUBNETS, routers=ROUTERS)
    assert sorted(f.resource_id for f in found) == ['b', 'd']
    assert all('not verified as Neutron' in f.detail for f in found)
