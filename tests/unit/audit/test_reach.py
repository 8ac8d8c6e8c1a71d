"""'From anywhere' as address sets: every spelling of the whole internet
is caught, and private look-alikes stay quiet."""

import pytest

from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory
from xloudclient.audit.settings import Settings

SSH = 'sg-ingress-ssh-from-world'


def _rule(rid, prefix=None, group='g', ethertype='IPv4', ag=None,
          protocol='tcp', port=22, remote_group=None):
    return {'id': rid, 'security_group_id': group, 'project_id': 'p',
            'direction': 'ingress', 'ethertype': ethertype,
            'protocol': protocol, 'port_range_min': port,
            'port_range_max': port, 'remote_ip_prefix': prefix,
            'remote_group_id': remote_group, 'remote_address_group_id': ag}


AGS = [{'id': 'ag-world', 'addresses': ['0.0.0.0/0']},
       {'id': 'ag-split', 'addresses': ['0.0.0.0/1', '128.0.0.0/1']},
       {'id': 'ag-private', 'addresses': ['10.0.0.0/8', '192.168.0.0/16']},
       {'id': 'ag-empty', 'addresses': []},
       {'id': 'ag-v6', 'addresses': ['2000::/3']}]


def _flagged(*rules, check=SSH):
    inv = Inventory(security_groups=[{'id': 'g', 'name': 'web',
                                      'project_id': 'p'},
                                     {'id': 'h', 'name': 'db',
                                      'project_id': 'p'}],
                    security_group_rules=list(rules), address_groups=AGS)
    [chk] = catalog.select([check])
    return {f.resource_id: f for f in chk.run(inv, Settings())}


@pytest.mark.parametrize('rules, flagged', [
    # one rule alone
    ([_rule('a', '0.0.0.0/0')], {'a'}),
    ([_rule('a')], {'a'}),                                  # no remote
    ([_rule('a', '::/0', ethertype='IPv6')], {'a'}),
    ([_rule('a', '2000::/3', ethertype='IPv6')], {'a'}),   # all of global
    # split prefixes, only together
    ([_rule('a', '0.0.0.0/1'), _rule('b', '128.0.0.0/1')], {'a', 'b'}),
    # ::/1 alone holds all of 2000::/3: it is the finding, 8000::/1 is not
    ([_rule('a', '::/1', ethertype='IPv6'),
      _rule('b', '8000::/1', ethertype='IPv6')], {'a'}),
    ([_rule('a', '2000::/4', ethertype='IPv6'),
      _rule('b', '3000::/4', ethertype='IPv6')], {'a', 'b'}),
    ([_rule('a', '0.0.0.0/2'), _rule('b', '64.0.0.0/2'),
      _rule('c', '128.0.0.0/1')], {'a', 'b', 'c'}),
    # public space only: the special blocks may be missing
    ([_rule('a', '1.0.0.0/8'), _rule('b', '2.0.0.0/7'),
      _rule('c', '4.0.0.0/6'), _rule('d', '8.0.0.0/7'),
      _rule('e', '11.0.0.0/8'), _rule('f', '12.0.0.0/6'),
      _rule('g2', '16.0.0.0/4'), _rule('h2', '32.0.0.0/3'),
      _rule('i', '64.0.0.0/2'), _rule('j', '128.0.0.0/2'),
      _rule('k', '192.0.0.0/3')], set('abcdefijk') | {'g2', 'h2'}),
    # a gap in public space: nothing
    ([_rule('a', '0.0.0.0/1'), _rule('b', '128.0.0.0/2')], set()),
    # overlapping and duplicate rules: each contributing one counts
    ([_rule('a', '0.0.0.0/1'), _rule('b', '0.0.0.0/1'),
      _rule('c', '128.0.0.0/1')], {'a', 'b', 'c'}),
    # one rule alone wins: the partial ones are not findings then
    ([_rule('a', '0.0.0.0/0'), _rule('b', '0.0.0.0/1')], {'a'}),
    # address groups
    ([_rule('a', ag='ag-world')], {'a'}),
    ([_rule('a', ag='ag-split')], {'a'}),
    ([_rule('a', ag='ag-private')], set()),
    ([_rule('a', ag='ag-empty')], set()),
    ([_rule('a', ag='ag-missing')], set()),
    ([_rule('a', ag='ag-v6', ethertype='IPv6')], {'a'}),
    ([_rule('a', ag='ag-v6')], set()),            # IPv4 rule, IPv6 group
    # halves in different groups never combine
    ([_rule('a', '0.0.0.0/1', group='g'),
      _rule('b', '128.0.0.0/1', group='h')], set()),
    # halves of different IP versions never combine
    ([_rule('a', '0.0.0.0/1'), _rule('b', '8000::/1', ethertype='IPv6')],
     set()),
    # a remote group admits its members, not the world
    ([_rule('a', remote_group='g')], set()),
    # private look-alikes stay quiet
    ([_rule('a', '0.0.0.0/8')], set()),
    ([_rule('a', '10.0.0.0/8')], set()),
    ([_rule('a', '::ffff:0.0.0.0/96', ethertype='IPv6')], set()),
    ([_rule('a', 'fd00::/8', ethertype='IPv6')], set()),
    ([_rule('a', '2000::/4', ethertype='IPv6')], set()),
    # another port than SSH
    ([_rule('a', '0.0.0.0/1', port=2222),
      _rule('b', '128.0.0.0/1')], set()),
])
def test_ssh_from_anywhere(rules, flagged):
    assert set(_flagged(*rules)) == flagged


def test_a_combined_finding_names_the_other_rules():
    found = _flagged(_rule('a', '0.0.0.0/1'), _rule('b', '128.0.0.0/1'))
    assert found['a'].detail == ('ingress IPv4 tcp port 22 from 0.0.0.0/1; '
                                 'from anywhere together with rule b')
    assert found['a'].remediation == (
        "openstack security group harden restrict a b --project p --to "
        "'<management-cidr>' --dry-run")


def test_any_protocol_and_sensitive_ports_combine_too():
    any_proto = [_rule('a', '0.0.0.0/1', protocol=None, port=None),
                 _rule('b', '128.0.0.0/1', protocol=None, port=None)]
    assert set(_flagged(*any_proto, check='sg-ingress-any-from-world')) == {
        'a', 'b'}
    # any protocol on one half and tcp/3306 on the other: mysql is open
    mixed = [_rule('a', '0.0.0.0/1', protocol=None, port=None),
             _rule('b', '128.0.0.0/1', port=3306)]
    found = _flagged(*mixed, check='sg-ingress-sensitive-from-world')
    assert set(found) == {'a', 'b'}
    assert 'mysql' in found['b'].detail
    assert _flagged(*mixed, check='sg-ingress-any-from-world') == {}


def _exposed(port_groups, *rules):
    inv = Inventory(
        security_groups=[{'id': g, 'name': g, 'project_id': 'p'}
                         for g in ('g', 'h')],
        security_group_rules=list(rules), address_groups=AGS,
        ports=[{'id': 'vm', 'name': 'vm', 'project_id': 'p',
                'security_groups': port_groups,
                'port_security_enabled': True}],
        floatingips=[{'id': 'f', 'floating_ip_address': '203.0.113.7',
                      'port_id': 'vm', 'project_id': 'p'}])
    [chk] = catalog.select(['fip-exposes-sensitive-port'])
    return chk.run(inv, Settings())


def test_a_ports_exposure_is_the_union_over_its_groups():
    halves = (_rule('a', '0.0.0.0/1', group='g'),
              _rule('b', '128.0.0.0/1', group='h'))
    [finding] = _exposed(['g', 'h'], *halves)
    assert finding.detail == 'reaches port vm, open to anywhere for ssh'
    assert finding.remediation == 'openstack security group rule delete a b'
    assert _exposed(['g'], *halves) == []
    assert _exposed(['g', 'h'], _rule('a', ag='ag-split', group='g')) != []
    assert _exposed(['g'], _rule('a', '10.0.0.0/8', group='g')) == []


def _direct(port, network=None, *rules):
    inv = Inventory(
        networks=[network or {'id': 'n', 'name': 'tenant',
                              'router:external': False}],
        security_groups=[{'id': 'g', 'name': 'g', 'project_id': 'p'}],
        security_group_rules=list(rules), address_groups=AGS,
        ports=[dict({'id': 'vm', 'name': 'vm', 'project_id': 'p',
                     'network_id': 'n', 'security_groups': ['g'],
                     'port_security_enabled': True, 'device_owner':
                     'compute:nova'}, **port)])
    [chk] = catalog.select(['port-exposes-sensitive-port'])
    return chk.run(inv, Settings())


PUBLIC_NET = {'id': 'n', 'name': 'public', 'router:external': True}


@pytest.mark.parametrize('fixed, network, rule, detail', [
    (['2001:db8::5'], None, _rule('r', '::/0', ethertype='IPv6'),
     'reachable by global address 2001:db8::5 (routing not read); open '
     'to anywhere for ssh'),
    (['172.24.4.10'], PUBLIC_NET, _rule('r', '0.0.0.0/0'),
     'reachable by external network public (172.24.4.10); open to '
     'anywhere for ssh'),
    (['8.8.4.4'], None, _rule('r', '0.0.0.0/0'),
     'reachable by public address 8.8.4.4 (routing not read); open to '
     'anywhere for ssh'),
    # a fixed IP without an address is skipped, not the end of the list
    (['', '8.8.4.4'], None, _rule('r', '0.0.0.0/0'),
     'reachable by public address 8.8.4.4 (routing not read); open to '
     'anywhere for ssh'),
    # an unnamed external network is named by its ID
    (['172.24.4.10'], {'id': 'n', 'router:external': True},
     _rule('r', '0.0.0.0/0'),
     'reachable by external network n (172.24.4.10); open to anywhere '
     'for ssh'),
    # not reached: private or unique-local addresses on a tenant network
    (['10.0.0.5'], None, _rule('r', '0.0.0.0/0'), None),
    (['fd00::5'], None, _rule('r', '::/0', ethertype='IPv6'), None),
    # reached, but over IPv6 only while the rule is IPv4
    (['10.0.0.5', '2001:db8::5'], None, _rule('r', '0.0.0.0/0'), None),
    # reached, but the groups admit SSH from a private range only
    (['2001:db8::5'], None, _rule('r', 'fd00::/8', ethertype='IPv6'),
     None),
])
def test_direct_exposure(fixed, network, rule, detail):
    found = _direct({'fixed_ips': [{'ip_address': a} for a in fixed]},
                    network, rule)
    assert [f.detail for f in found] == ([detail] if detail else [])


def test_direct_exposure_with_port_security_off_and_neutron_ports():
    [f] = _direct({'fixed_ips': [{'ip_address': '172.24.4.10'}],
                   'port_security_enabled': False}, PUBLIC_NET)
    assert f.detail == ('reachable by external network public '
                        '(172.24.4.10); port security is off')
    assert f.remediation == 'openstack port security enable vm'
    assert _direct({'fixed_ips': [{'ip_address': '172.24.4.1'}],
                    'device_owner': 'network:router_gateway',
                    'port_security_enabled': False}, PUBLIC_NET) == []


def _shared(networks, policies=()):
    inv = Inventory(networks=networks, rbac_policies=list(policies))
    [chk] = catalog.select(['network-shared-all-projects'])
    return {f.resource_id: f for f in chk.run(inv, Settings())}


def test_networks_shared_with_every_project():
    found = _shared(
        [{'id': 'flag', 'shared': True, 'router:external': False,
          'port_security_enabled': True},
         {'id': 'open', 'shared': True, 'router:external': False,
          'port_security_enabled': False},
         {'id': 'rbac', 'shared': False, 'router:external': False},
         {'id': 'one', 'shared': False, 'router:external': False},
         {'id': 'private', 'shared': False, 'router:external': False}],
        [{'id': 'pol-1', 'object_type': 'network', 'object_id': 'rbac',
          'action': 'access_as_shared', 'target_tenant': '*'},
         {'id': 'pol-2', 'object_type': 'network', 'object_id': 'one',
          'action': 'access_as_shared', 'target_tenant': 'proj-b'},
         {'id': 'pol-4', 'object_type': 'network', 'object_id': 'private',
          'action': 'access_as_external', 'target_tenant': 'proj-b'}])
    assert sorted(found) == ['flag', 'open', 'rbac']
    assert found['flag'].severity == 'low'
    assert found['open'].severity == 'medium'
    assert found['rbac'].remediation == 'openstack network rbac delete pol-1'
    assert found['flag'].remediation == (
        'openstack network set --no-share flag')


def test_networks_external_to_every_project_whichever_action():
    found = _shared(
        [{'id': 'pub', 'shared': False, 'router:external': True},
         {'id': 'both', 'shared': True, 'router:external': True,
          'port_security_enabled': True},
         {'id': 'both-off', 'shared': False, 'router:external': True,
          'port_security_enabled': False},
         {'id': 'by-rbac', 'shared': False, 'router:external': True},
         # Neutron says router:external for an external network to one
         # project too: the policies tell
         {'id': 'to-one', 'shared': False, 'router:external': True}],
        [{'id': 'pol-e', 'object_type': 'network', 'object_id': 'by-rbac',
          'action': 'access_as_external', 'target_tenant': '*'},
         {'id': 'pol-s', 'object_type': 'network', 'object_id': 'both-off',
          'action': 'access_as_shared', 'target_tenant': '*'},
         {'id': 'pol-1', 'object_type': 'network', 'object_id': 'to-one',
          'action': 'access_as_external', 'target_tenant': 'proj-b'},
         {'id': 'pol-q', 'object_type': 'qos_policy', 'object_id': 'to-one',
          'action': 'access_as_shared', 'target_tenant': '*'}])
    assert sorted(found) == ['both', 'both-off', 'by-rbac', 'pub']
    # external only: every project routes to it; what an external network
    # is for, to confirm
    assert (found['pub'].severity, found['pub'].detail) == (
        'info', 'external to every project: any project can put a router '
        'gateway on it and take floating IPs from it')
    assert found['pub'].remediation == 'openstack network set --internal pub'
    assert found['by-rbac'].remediation == (
        'openstack network rbac delete pol-e')
    assert found['by-rbac'].detail.startswith(
        'external to every project (RBAC policy): ')
    # external and shared: ports of any project straight on it
    assert (found['both'].severity, found['both'].detail) == (
        'low', 'external and shared with every project: any project can '
        'put ports straight on it, no router or floating IP between')
    assert found['both'].remediation == (
        'openstack network set --no-share both')
    assert found['both-off'].severity == 'medium'
    assert found['both-off'].detail.endswith('; port security is off on it')
    assert found['both-off'].remediation == (
        'openstack network rbac delete pol-s')


@pytest.mark.parametrize('address, public', [
    ('8.8.8.8', True), ('10.1.2.3', False), ('100.64.0.1', False),
    ('172.16.0.1', False), ('172.32.0.1', True), ('192.168.1.1', False),
    ('203.0.113.7', False), ('2001:db8::5', True), ('fd00::1', False),
    ('::ffff:8.8.8.8', False), ('1.0.0.1', True), ('not-an-ip', False),
    (None, False),
    # the last address of a public range, and the first after it
    ('9.255.255.255', True), ('223.255.255.255', True),
    ('224.0.0.0', False), ('3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', True),
    ('4000::', False)])
def test_is_public(address, public):
    from xloudclient.audit import reach
    assert reach.is_public(address) is public


def test_each_set_of_rules_is_judged_on_its_own():
    """Unions are memoised per set of remotes: a covering pair in one
    group does not make a non-covering pair in another one covering."""
    found = _flagged(_rule('a', '0.0.0.0/1'), _rule('b', '128.0.0.0/1'),
                     _rule('c', '0.0.0.0/1', group='h'),
                     _rule('d', '128.0.0.0/2', group='h'))
    assert set(found) == {'a', 'b'}
    found = _flagged(_rule('c', '0.0.0.0/1', group='h'),
                     _rule('d', '128.0.0.0/2', group='h'),
                     _rule('a', '0.0.0.0/1'), _rule('b', '128.0.0.0/1'))
    assert set(found) == {'a', 'b'}


def test_an_unreadable_address_in_a_group_skips_that_address_only():
    odd = {'id': 'ag-odd', 'addresses': ['not-a-net', '0.0.0.0/0']}
    groups = AGS + [odd]
    inv = Inventory(security_groups=[{'id': 'g', 'name': 'web',
                                      'project_id': 'p'}],
                    security_group_rules=[_rule('a', ag='ag-odd')],
                    address_groups=groups)
    [chk] = catalog.select([SSH])
    assert [f.resource_id for f in chk.run(inv, Settings())] == ['a']


def test_rules_alike_but_for_their_ip_version_are_told_apart():
    """Two rules with no remote, one per IP version, on a port reached
    over IPv6 only: the IPv6 one is the exposure."""
    found = _direct({'fixed_ips': [{'ip_address': '2001:db8::5'}]}, None,
                    _rule('v4'), _rule('v6', ethertype='IPv6'))
    assert [(f.key, f.remediation) for f in found] == [
        ('IPv6', 'openstack security group rule delete v6')]


def test_each_check_sees_the_services_of_its_own_list():
    """The services a rule admits are memoised per service list: the
    sensitive-port check (no SSH in its list) first, then the exposure
    check (SSH in its list) on the same inventory."""
    inv = Inventory(
        networks=[{'id': 'n', 'name': 'tenant', 'router:external': False}],
        security_groups=[{'id': 'g', 'name': 'g', 'project_id': 'p'}],
        security_group_rules=[_rule('r', '0.0.0.0/0')], address_groups=AGS,
        ports=[{'id': 'vm', 'name': 'vm', 'project_id': 'p',
                'network_id': 'n', 'security_groups': ['g'],
                'port_security_enabled': True, 'device_owner': 'compute:x',
                'fixed_ips': [{'ip_address': '8.8.4.4'}]}])
    checks = {c.id: c for c in catalog.all_checks()}
    sensitive = checks['sg-ingress-sensitive-from-world']
    exposure = checks['port-exposes-sensitive-port']
    assert list(sensitive.run(inv, Settings())) == []
    [found] = exposure.run(inv, Settings())
    assert found.detail.endswith('open to anywhere for ssh')


def test_rules_alike_but_for_their_port_ranges_are_told_apart():
    def ranged(rid, lo, hi):
        return dict(_rule(rid, '0.0.0.0/0'), port_range_min=lo,
                    port_range_max=hi)
    # same upper end: only the one starting at 22 lets SSH in
    assert set(_flagged(ranged('a', 22, 23), ranged('b', 23, 23))) == {'a'}
    # same lower end: only the one reaching 23 lets telnet in
    assert set(_flagged(ranged('a', 22, 22), ranged('b', 22, 23),
                        check='sg-ingress-sensitive-from-world')) == {'b'}
