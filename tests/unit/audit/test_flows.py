"""What explain shows for one port: its paths in and what they admit, a
flow's verdict and a send's."""

import pytest

from xloudclient.audit import flows
from xloudclient.audit.inventory import Inventory


def _rule(rid, prefix='0.0.0.0/0', port=22, group='g', protocol='tcp',
          remote_group=None, ethertype='IPv4'):
    return {'id': rid, 'security_group_id': group, 'direction': 'ingress',
            'ethertype': ethertype, 'protocol': protocol,
            'port_range_min': port, 'port_range_max': port,
            'remote_ip_prefix': prefix, 'remote_group_id': remote_group}


VM = {'id': 'vm', 'name': 'vm', 'project_id': 'p', 'network_id': 'n',
      'security_groups': ['g'], 'port_security_enabled': True,
      'mac_address': 'fa:16:3e:00:00:01',
      'fixed_ips': [{'subnet_id': 's', 'ip_address': '10.0.0.5'}],
      'allowed_address_pairs': [{'ip_address': '10.0.0.100'}]}
PEER = dict(VM, id='peer', security_groups=['g'], allowed_address_pairs=[],
            fixed_ips=[{'subnet_id': 's', 'ip_address': '10.0.0.6'}])
FORWARD = {'id': 'f', 'floating_ip_address': '198.51.100.7',
           'port_forwardings': [{'protocol': 'tcp', 'internal_port_id': 'vm',
                                 'internal_port': 22, 'external_port': 2222,
                                 'internal_ip_address': '10.0.0.5'}]}


def _inventory(rules, port=VM, shared=False, rbac=(), fips=(FORWARD,)):
    return Inventory(
        networks=[{'id': 'n', 'name': 'lan', 'project_id': 'p',
                   'shared': shared}],
        subnets=[{'id': 's', 'network_id': 'n', 'cidr': '10.0.0.0/24',
                  'ip_version': 4}],
        ports=[port, PEER], floatingips=list(fips),
        security_groups=[{'id': 'g', 'name': 'web', 'project_id': 'p'},
                         {'id': 'open', 'name': 'open', 'project_id': 'q'}],
        security_group_rules=list(rules), rbac_policies=list(rbac))


def test_rows_name_each_path_and_the_rules_admitting_over_it():
    inv = _inventory([_rule('ssh'), _rule('web', port=443),
                      _rule('lan', prefix='10.0.0.0/24', port=8080)])
    rows = {r.path.entry: r for r in flows.rows(inv, VM)}
    forwarded = rows['port forwarding 198.51.100.7 tcp 2222 to 22']
    # the forwarding carries 22 only: 443 is not admitted over it
    assert (forwarded.path.source, forwarded.rules) == ('internet', ('ssh',))
    assert forwarded.admits == 'IPv4 tcp port 22 from 0.0.0.0/0'
    local = rows['network lan']
    assert local.path.source == 'own network'
    assert local.rules == ('ssh', 'web', 'lan')
    assert 'shared network lan' not in rows


@pytest.mark.parametrize('shared, rbac, listed', [
    (True, (), True),
    (False, ({'object_type': 'network', 'object_id': 'n',
              'action': 'access_as_shared', 'target_tenant': '*'},), True),
    # shared with its own project only, or made external: not shared
    (False, ({'object_type': 'network', 'object_id': 'n',
              'action': 'access_as_shared', 'target_tenant': 'p'},), False),
    (False, ({'object_type': 'network', 'object_id': 'n',
              'action': 'access_as_external', 'target_tenant': '*'},),
     False),
])
def test_other_projects_on_a_shared_network(shared, rbac, listed):
    rows = flows.rows(_inventory([_rule('ssh')], shared=shared, rbac=rbac),
                      VM)
    found = [r for r in rows if r.path.source == 'other projects']
    assert bool(found) == listed


def test_a_remote_group_shared_with_every_project_is_a_path_in():
    rules = [_rule('from-open', prefix=None, remote_group='open')]
    rbac = [{'object_type': 'security_group', 'object_id': 'open',
             'action': 'access_as_shared', 'target_tenant': '*'}]
    [row] = [r for r in flows.rows(_inventory(rules, rbac=rbac), VM)
             if r.path.source == 'other projects']
    assert row.path.entry.startswith('security group open, shared (other')
    assert row.rules == ('from-open',)
    verdict = flows.flow(_inventory(rules, rbac=rbac), VM, '10.9.9.9', 'tcp',
                         22)
    assert verdict.verdict == 'admitted'
    # a group of another project is joined by its owner's ports at least
    assert [r.path.kind for r in flows.rows(_inventory(rules), VM)
            if r.path.source == 'other projects'] == ['shared group']
    # the port's own project's group, not shared: its members only
    own = [_rule('from-g', prefix=None, remote_group='g')]
    assert [r for r in flows.rows(_inventory(own), VM)
            if r.path.source == 'other projects'] == []
    assert flows.flow(_inventory(own), VM, '10.0.0.9', 'tcp',
                      22).verdict == 'dropped'
    assert flows.flow(_inventory(own), VM, '10.0.0.6', 'tcp',
                      22).verdict == 'admitted'


@pytest.mark.parametrize('source, protocol, number, verdict, reason', [
    ('8.8.8.8', 'tcp', 22, 'admitted', 'from the internet by port '
     'forwarding 198.51.100.7 tcp 2222 to 22: rule ssh'),
    # the forwarding carries tcp 22 only
    ('8.8.8.8', 'tcp', 80, 'dropped', 'no path in carries tcp port 80'),
    ('8.8.8.8', 'udp', 22, 'dropped', 'no path in carries'),
    ('8.8.8.8', '6', 22, 'admitted', 'rule ssh'),
    # from the network: the rules admit 8080 from the subnet
    ('10.0.0.9', 'tcp', 8080, 'admitted', 'from its own network by '
     'network lan: rule lan'),
    ('10.0.0.9', 'tcp', 8081, 'dropped', 'no rule of the port'),
    # members of its own group, by fixed IP
    ('10.0.0.6', 'udp', 53, 'admitted', 'rule members'),
    # from a private address elsewhere: no path
    ('172.16.0.9', 'tcp', 22, 'dropped', 'no path in'),
    ('2001:db8::9', 'tcp', 22, 'dropped', 'no path in'),
])
def test_a_flows_verdict(source, protocol, number, verdict, reason):
    inv = _inventory([_rule('ssh'),
                      _rule('lan', prefix='10.0.0.0/24', port=8080),
                      _rule('members', prefix=None, protocol=None, port=None,
                            remote_group='g')])
    found = flows.flow(inv, VM, source, protocol, number)
    assert found.verdict == verdict
    assert reason in found.reason


def test_port_security_off_admits_every_flow_that_has_a_path():
    port = dict(VM, port_security_enabled=False)
    inv = _inventory([], port=port)
    assert flows.flow(inv, port, '8.8.8.8', 'tcp', 22).verdict == 'admitted'
    assert flows.flow(inv, port, '8.8.8.8', 'tcp', 80).verdict == 'dropped'
    assert [r.admits for r in flows.rows(inv, port)] == [
        'everything (port security is off)'] * 2


@pytest.mark.parametrize('address, mac, verdict, reason, command', [
    ('10.0.0.5', None, 'allowed', 'fixed IP 10.0.0.5', ()),
    ('10.0.0.100', None, 'allowed', 'allowed address pair 10.0.0.100', ()),
    ('10.0.0.100', 'FA:16:3E:00:00:01', 'allowed',
     'allowed address pair 10.0.0.100 with MAC fa:16:3e:00:00:01', ()),
    ('10.0.0.100', 'fa:16:3e:00:00:09', 'dropped', 'anti-spoofing drops it',
     ('openstack', 'port', 'set', '--allowed-address',
      'ip-address=10.0.0.100,mac-address=fa:16:3e:00:00:09', 'vm')),
    # a VRRP address on its network: for the whole group
    ('10.0.0.101', None, 'dropped', 'anti-spoofing drops it',
     ('openstack', 'port', 'vip', 'add', '10.0.0.101', '--port', 'vm',
      '--dry-run')),
    ('192.0.2.1', None, 'dropped', 'anti-spoofing drops it',
     ('openstack', 'port', 'set', '--allowed-address',
      'ip-address=192.0.2.1', 'vm')),
])
def test_a_sends_verdict(address, mac, verdict, reason, command):
    found = flows.send(_inventory([]), VM, address, mac)
    assert (found.verdict, found.command) == (verdict, command)
    assert found.reason.startswith(reason)


def test_anti_spoofing_is_off_with_port_security():
    port = dict(VM, port_security_enabled=False)
    assert flows.send(_inventory([], port=port), port,
                      '192.0.2.1').verdict == 'allowed'
