"""`network harden explain` in-process: what it reads (only the port's
neighbourhood), its columns, its one-line refusals."""

import json

import pytest

from tests.unit import clouds
from tests.unit.osc import harness
from xloudclient.osc import explain_commands

RULE = {'id': 'ssh', 'security_group_id': 'g', 'direction': 'ingress',
        'ethertype': 'IPv4', 'protocol': 'tcp', 'port_range_min': 22,
        'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0'}


def _cloud():
    return clouds.FakeNeutron(
        clouds.PORT_EXTENSIONS,
        networks=[{'id': 'n', 'name': 'lan', 'project_id': 'p'},
                  {'id': 'ext', 'name': 'public', 'router:external': True},
                  {'id': 'far', 'name': 'far', 'project_id': 'q'}],
        subnets=[{'id': 's', 'network_id': 'n', 'cidr': '10.0.0.0/24',
                  'ip_version': 4},
                 {'id': 'far-s', 'network_id': 'far', 'cidr': '8.8.4.0/24',
                  'ip_version': 4}],
        ports=[{'id': 'vm', 'name': 'vm', 'project_id': 'p',
                'network_id': 'n', 'security_groups': ['g'],
                'port_security_enabled': True,
                'fixed_ips': [{'subnet_id': 's', 'ip_address': '10.0.0.5'}]},
               {'id': 'if', 'network_id': 'n', 'project_id': 'p',
                'device_owner': 'network:router_interface',
                'device_id': 'r',
                'fixed_ips': [{'subnet_id': 's', 'ip_address': '10.0.0.1'}]},
               {'id': 'far-vm', 'network_id': 'far', 'project_id': 'q',
                'fixed_ips': [{'subnet_id': 'far-s',
                               'ip_address': '8.8.4.5'}]}],
        routers=[{'id': 'r', 'name': 'gw', 'project_id': 'p',
                  'external_gateway_info': {'network_id': 'ext',
                                            'enable_snat': True}}],
        floatingips=[{'id': 'f', 'floating_ip_address': '198.51.100.7',
                      'router_id': 'r', 'port_id': None,
                      # a range: Neutron's list gives no ports for it
                      'port_forwardings': [{'protocol': 'tcp',
                                            'internal_port_id': 'vm'}]}],
        port_forwardings=[{'id': 'pf', 'floatingip_id': 'f',
                           'protocol': 'tcp', 'internal_port_id': 'vm',
                           'internal_ip_address': '10.0.0.5',
                           'internal_port_range': '20:30',
                           'external_port_range': '2220:2230'}],
        security_groups=[{'id': 'g', 'name': 'web', 'project_id': 'p'}],
        security_group_rules=[RULE])


def test_the_paths_in_of_a_port_read_from_its_neighbourhood_only():
    cloud = _cloud()
    res = harness.run(explain_commands.ExplainPort, ['vm', '-f', 'json'],
                      cloud)
    rows = json.loads(res.out)
    assert rows[0] == {
        'Source': 'internet',
        'Entry': 'port forwarding 198.51.100.7 tcp 2220:2230 to 20:30',
        'Admits': 'IPv4 tcp port 22 from 0.0.0.0/0', 'Rules': ['ssh']}
    assert [r['Source'] for r in rows] == ['internet', 'own network']
    # no whole-cloud list: every list is filtered to the neighbourhood
    lists = [(path, params) for path, params in cloud.queries
             if path.count('/') == 1 and path != '/extensions']
    assert lists and all(set(params) - {'fields', 'limit'} for _, params
                         in lists), lists
    assert not any(params.get('network_id') == ['far']
                   for _, params in cloud.queries)


def test_the_table_names_each_rules_group():
    res = harness.run(explain_commands.ExplainPort, ['vm'], _cloud())
    assert 'ssh (web)' in res.out


def test_a_flow_and_a_send():
    res = harness.run(explain_commands.ExplainPort,
                      ['vm', '--from', '8.8.8.8', '--protocol', 'tcp',
                       '--port', '22', '-f', 'json'], _cloud())
    [row] = json.loads(res.out)
    assert row['Verdict'] == 'admitted'
    assert row['Reason'].endswith('rule ssh (IPv4 tcp port 22 from '
                                  '0.0.0.0/0)')
    res = harness.run(explain_commands.ExplainPort,
                      ['vm', '--send-as', '10.0.0.9,fa:16:3e:00:00:09', '-f',
                       'json'], _cloud())
    [row] = json.loads(res.out)
    assert row['Verdict'] == 'dropped'
    assert row['Reason'].endswith(
        'to allow it: openstack port set --allowed-address '
        'ip-address=10.0.0.9,mac-address=fa:16:3e:00:00:09 vm')


@pytest.mark.parametrize('argv, says', [
    (['--from', '8.8.8.8'], '--from needs --protocol'),
    (['--port', '22'], 'give --from too'),
    (['--from', '8.8.8.8', '--protocol', 'tcp', '--send-as', '10.0.0.1'],
     'give one'),
    (['--from', 'here', '--protocol', 'tcp'], "--from 'here' is not an IP"),
    (['--from', '8.8.8.8', '--protocol', 'tcpx'], '--protocol:'),
    (['--from', '8.8.8.8', '--protocol', 'tcp', '--port', '70000'],
     'not a port number'),
    (['--send-as', '10.0.0.1,zz'], 'is not a MAC address'),
    (['--send-as', '10.0.0.1', '--protocol', 'tcp'], 'give --from too'),
])
def test_bad_input_is_one_line_and_reads_nothing(argv, says):
    cloud = _cloud()
    res = harness.run(explain_commands.ExplainPort, ['vm'] + argv, cloud)
    assert res.code == 1
    assert says in str(res.error) and '\n' not in str(res.error)
    assert not any(path.startswith('/ports') for _, path in cloud.log)


def test_a_port_that_is_not_there():
    res = harness.run(explain_commands.ExplainPort, ['nothing'], _cloud())
    assert res.code == 1
    assert "no port named or with ID 'nothing'" in str(res.error)
