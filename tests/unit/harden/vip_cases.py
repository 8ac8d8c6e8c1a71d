"""Cases and helpers of test_vip.py, shared with the modules
that test the same code (a test module imports no other)."""

from tests.unit.clouds import FakeNeutron
from xloudclient.harden import vip


NET = 'net-1'


def _port(pid, network=NET, pairs=(), enabled=True, n=0):
    return {'id': pid, 'name': pid, 'network_id': network,
            'project_id': 'proj', 'mac_address': 'fa:16:3e:00:00:%02x' % n,
            'port_security_enabled': enabled,
            'allowed_address_pairs': [dict(p) for p in pairs],
            'fixed_ips': [{'ip_address': '10.0.0.%d' % (10 + n),
                           'subnet_id': 'sub-1'}]}


def _cloud(*extra):
    ports = [_port('a', n=1), _port('b', n=2), _port('c', n=3)] + list(extra)
    return FakeNeutron.of_ports(ports, subnets=[
        {'id': 'sub-1', 'network_id': NET, 'cidr': '10.0.0.0/24',
         'gateway_ip': '10.0.0.1'},
        {'id': 'sub-6', 'network_id': NET, 'cidr': '2001:db8::/64',
         'gateway_ip': '2001:db8::1'}])


def _pairs(cloud, pid):
    return [(p['ip_address'], p.get('mac_address'))
            for p in cloud.ports[pid]['allowed_address_pairs']]


def _add(cloud, address='10.0.0.100', ports=('a', 'b', 'c'), **kw):
    plan = vip.plan_add(cloud, vip.AddRequest(address, list(ports), **kw))
    return vip.apply_add(cloud, plan)
