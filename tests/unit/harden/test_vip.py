import ipaddress

import pytest

from xloudclient.harden import vip
from xloudclient import harden
from tests.unit.harden.vip_cases import NET
from tests.unit.harden.vip_cases import _add
from tests.unit.harden.vip_cases import _cloud
from tests.unit.harden.vip_cases import _pairs
from tests.unit.harden.vip_cases import _port


# --- parsing ----------------------------------------------------------

@pytest.mark.parametrize('text, allow, expected', [
    ('10.0.0.100', False, '10.0.0.100/32'),
    ('10.0.0.100/32', False, '10.0.0.100/32'),
    ('2001:db8::10', False, '2001:db8::10/128'),
    ('10.0.0.0/28', True, '10.0.0.0/28'),
])
def test_parse_address(text, allow, expected):
    assert vip.parse_address(text, allow) == ipaddress.ip_network(expected)


@pytest.mark.parametrize('text, allow, message', [
    ('10.0.0.0/28', False, '--allow-prefix'),
    ('0.0.0.0/0', True, 'every address'),
    ('::/0', True, 'every address'),
    ('10.0.0.300', False, 'not an IPv4 or IPv6'),
    ('vip', False, 'not an IPv4 or IPv6'),
])
def test_parse_address_refusals(text, allow, message):
    with pytest.raises(harden.Refused, match=message):
        vip.parse_address(text, allow)


@pytest.mark.parametrize('text, ok', [
    ('fa:16:3e:aa:bb:cc', True), ('FA-16-3E-AA-BB-CC', True),
    ('01:00:5e:00:00:01', False), ('ff:ff:ff:ff:ff:ff', False),
    ('00:00:00:00:00:00', False), ('fa:16:3e:aa:bb', False),
    ('zz:16:3e:aa:bb:cc', False)])
def test_parse_mac(text, ok):
    if ok:
        assert vip.parse_mac(text) == 'fa:16:3e:aa:bb:cc'
    else:
        with pytest.raises(harden.Refused):
            vip.parse_mac(text)


# --- add ----------------------------------------------------------


def test_add_reserves_and_adds_everywhere():
    cloud = _cloud()
    rows = _add(cloud)
    assert [r.action for r in rows] == ['added'] * 3 + ['reserved']
    for pid in 'abc':
        assert _pairs(cloud, pid) == [('10.0.0.100', None)]
    [reservation] = [p for p in cloud.ports.values()
                     if p['name'] == 'vip-10.0.0.100']
    assert reservation['fixed_ips'] == [{'subnet_id': 'sub-1',
                                         'ip_address': '10.0.0.100'}]
    assert reservation['device_owner'] == vip.RESERVATION_OWNER
    assert reservation['admin_state_up'] is False


def test_add_again_is_unchanged_and_reuses_the_reservation():
    cloud = _cloud()
    _add(cloud)
    rows = _add(cloud)
    assert [r.action for r in rows] == ['unchanged'] * 3 + [
        'reservation kept']
    assert len(cloud.ports) == 4


def test_pair_with_the_ports_own_mac_counts_as_present():
    cloud = _cloud()
    cloud.ports['a']['allowed_address_pairs'] = [
        {'ip_address': '10.0.0.100', 'mac_address': 'fa:16:3e:00:00:01'}]
    rows = _add(cloud, ports=['a'], reserve=False)
    assert rows[0].action == 'unchanged'


def test_pinned_mac():
    cloud = _cloud()
    _add(cloud, ports=['a'], mac='fa:16:3e:99:99:99')
    assert _pairs(cloud, 'a') == [('10.0.0.100', 'fa:16:3e:99:99:99')]


def test_address_held_by_another_port_is_refused():
    cloud = _cloud()
    with pytest.raises(harden.Refused, match="fixed IP of port b"):
        vip.plan_add(cloud, vip.AddRequest('10.0.0.12', ['a', 'c']))


@pytest.mark.parametrize('address, ports, message', [
    ('10.9.0.5', 'abc', 'not inside any subnet'),
    ('10.0.0.100', 'ad', '2 networks'),
    ('10.0.0.100', 'ae', 'port security disabled'),
    ('10.0.0.100', 'ax', "no port named or with ID 'x'"),
])
def test_validation_refusals_change_nothing(address, ports, message):
    cloud = _cloud(_port('d', network='net-2', n=4),
                   _port('e', enabled=False, n=5))
    with pytest.raises(Exception, match=message):
        _add(cloud, address, list(ports))
    assert [m for m, _ in cloud.log if m != 'GET'] == []


def test_ipv6_vip():
    cloud = _cloud()
    _add(cloud, '2001:db8::100', ports=['a'])
    assert _pairs(cloud, 'a') == [('2001:db8::100', None)]


def test_prefix_is_not_reserved():
    cloud = _cloud()
    rows = _add(cloud, '10.0.0.16/28', ports=['a'], allow_prefix=True)
    assert [r.action for r in rows] == ['added', 'not reserved']
    assert len(cloud.ports) == 3


def test_failure_part_way_rolls_everything_back():
    full = [{'ip_address': '10.0.1.%d' % i} for i in range(10)]
    cloud = _cloud()
    cloud.ports['c']['allowed_address_pairs'] = full   # no room left
    with pytest.raises(harden.Refused) as err:
        _add(cloud)
    message = str(err.value)
    assert 'Exceeded maximum' in message
    assert 'port a rolled back' in message and 'port b rolled back' in message
    assert 'reservation new-1 deleted' in message
    assert _pairs(cloud, 'a') == [] and _pairs(cloud, 'b') == []
    assert len(cloud.ports) == 3


def test_revision_conflicts_are_retried_and_counted():
    cloud = _cloud()

    def hook(cloud, method, path):
        # Another admin adds a pair to `b` just before each of our first
        # two updates of it.
        if method == 'PUT' and path == '/ports/b' and hook.left:
            hook.left -= 1
            cloud.ports['b']['allowed_address_pairs'].append(
                {'ip_address': '10.0.0.%d' % (200 + hook.left)})
            cloud._bump(cloud.ports['b'])
    hook.left = 2
    cloud.hook = hook
    rows = _add(cloud)
    assert [r.conflicts for r in rows[:3]] == [0, 2, 0]
    assert sorted(ip for ip, _ in _pairs(cloud, 'b')) == [
        '10.0.0.100', '10.0.0.200', '10.0.0.201']


def test_dry_run_preview():
    cloud = _cloud()
    plan = vip.plan_add(cloud, vip.AddRequest('10.0.0.100', ['a', 'b']))
    rows = vip.preview_add(plan)
    assert [r.action for r in rows] == ['would add', 'would add',
                                        'would reserve']
    assert [m for m, _ in cloud.log if m != 'GET'] == []


# --- remove ----------------------------------------------------------

def test_remove_release_and_unchanged():
    cloud = _cloud()
    _add(cloud)
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a', 'b', 'c'], release=True))
    rows = vip.apply_remove(cloud, plan)
    assert [r.action for r in rows] == ['removed'] * 3 + ['released']
    assert len(cloud.ports) == 3
    plan = vip.plan_remove(cloud, vip.RemoveRequest('10.0.0.100', ['a']))
    assert [r.action for r in vip.apply_remove(cloud, plan)] == [
        'unchanged']


def test_release_refused_while_others_use_it():
    cloud = _cloud()
    _add(cloud)
    with pytest.raises(harden.Refused, match='still use it'):
        vip.plan_remove(cloud, vip.RemoveRequest(
            '10.0.0.100', ['a'], release=True))


# --- list ----------------------------------------------------------

def test_list_groups_members_and_warns():
    pair = {'ip_address': '10.0.0.100'}
    ports = [_port('a', pairs=[dict(pair, mac_address='fa:16:3e:00:00:01')],
                   n=1),
             _port('b', pairs=[dict(pair, mac_address='fa:16:3e:00:00:02')],
                   n=2),
             _port('c', pairs=[{'ip_address': '10.0.0.0/16',
                                'mac_address': 'fa:16:3e:00:00:03'}], n=3),
             dict(_port('r', n=90), name='vip-10.0.0.100',
                  device_owner=vip.RESERVATION_OWNER, admin_state_up=False,
                  fixed_ips=[{'ip_address': '10.0.0.100'}])]
    vips = {v.address: v for v in vip.list_vips(ports)}
    assert vips['10.0.0.100'].members == ['a', 'b']
    assert vips['10.0.0.100'].reservation == 'r'
    assert vips['10.0.0.100'].mac == ''
    assert vips['10.0.0.100'].warnings == []
    assert 'pair wider than a host (/16)' in vips['10.0.0.0/16'].warnings


# --- addresses that are not hosts (issue 10, defect 3) ------------------

@pytest.mark.parametrize('address, reserve, message', [
    ('10.0.0.1', True, 'gateway address of subnet sub-1'),
    ('10.0.0.1', False, 'gateway address'),
    ('10.0.0.0', False, 'network address of subnet sub-1'),
    ('10.0.0.255', False, 'broadcast address of subnet sub-1'),
    ('2001:db8::1', False, 'gateway address of subnet sub-6'),
    ('2001:db8::', False, 'subnet-router anycast'),
])
def test_special_addresses_are_refused(address, reserve, message):
    cloud = _cloud()
    with pytest.raises(harden.Refused, match=message):
        vip.plan_add(cloud, vip.AddRequest(
            address, ['a', 'b'], reserve=reserve))
    assert [m for m, _ in cloud.log if m != 'GET'] == []


def test_unreserved_vip_on_another_ports_fixed_ip_warns():
    cloud = _cloud()
    plan = vip.plan_add(cloud, vip.AddRequest(
        '10.0.0.13', ['a', 'b'], reserve=False))
    assert plan.warnings and 'fixed IP of port c' in plan.warnings[0]


def test_an_empty_mac_is_refused_not_ignored():
    with pytest.raises(harden.Refused, match='not a MAC address'):
        vip.plan_add(_cloud(), vip.AddRequest('10.0.0.100', ['a'], mac=''))


def test_remove_with_nothing_left_is_empty_not_an_error():
    cloud = _cloud()
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', all_ports=True, release=True))
    assert (plan.ports, plan.reservation) == ([], None)
    assert vip.apply_remove(cloud, plan) == []


def test_release_finds_a_reservation_left_without_pairs():
    cloud = _cloud()
    _add(cloud)
    for pid in 'abc':
        cloud.ports[pid]['allowed_address_pairs'] = []
    # no port tells whose VIP it was: the admin names the project
    with pytest.raises(harden.Refused, match=r'^no port holds 10.0.0.100 any '
                       r'more: give --project <project>'):
        vip.plan_remove(cloud, vip.RemoveRequest(
            '10.0.0.100', all_ports=True, release=True))
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', all_ports=True, release=True, project_id='proj'))
    assert plan.reservation['name'] == 'vip-10.0.0.100'
    vip.apply_remove(cloud, plan)
    assert len(cloud.ports) == 3


def test_release_never_deletes_a_port_that_is_not_a_reservation():
    cloud = _cloud()
    _add(cloud)
    held = next(p for p in cloud.ports.values()
                if p.get('device_owner') == vip.RESERVATION_OWNER)
    held['device_owner'] = 'compute:nova'      # an instance's port now
    with pytest.raises(harden.Refused, match='not a VIP reservation'):
        vip.plan_remove(cloud, vip.RemoveRequest(
            '10.0.0.100', all_ports=True, release=True))
    assert held['id'] in cloud.ports


# --- rollback guards (found by mutation testing) -------------------------

def _full(cloud, pid):
    cloud.ports[pid]['allowed_address_pairs'] = [
        {'ip_address': '10.0.1.%d' % i} for i in range(10)]


def test_rollback_keeps_a_vip_a_port_had_before():
    cloud = _cloud()
    cloud.ports['a']['allowed_address_pairs'] = [{'ip_address':
                                                  '10.0.0.100'}]
    _full(cloud, 'c')
    with pytest.raises(harden.Refused, match='port b rolled back'):
        _add(cloud)
    assert _pairs(cloud, 'a') == [('10.0.0.100', None)]
    assert _pairs(cloud, 'b') == []


def test_rollback_never_deletes_a_port_that_took_the_address():
    from tests.unit.clouds import FakeResponse
    cloud = _cloud()
    real_post = cloud.post

    def post(path, json=None, **kw):
        # The reservation fails; meanwhile an instance got the address.
        real_post(path, json=dict(json, port=dict(
            json['port'], name='instance', device_owner='compute:nova')))
        return FakeResponse(500, {'NeutronError': {'message': 'boom'}})
    cloud.post = post
    with pytest.raises(harden.Refused, match='boom'):
        _add(cloud)
    assert [p['name'] for p in cloud.ports.values()
            if p.get('device_owner') == 'compute:nova'] == ['instance']


def test_rollback_without_reserving_keeps_an_existing_reservation():
    cloud = _cloud()
    _add(cloud, ports=['a'])                 # reserves 10.0.0.100
    _full(cloud, 'c')
    with pytest.raises(harden.Refused):
        _add(cloud, ports=['b', 'c'], reserve=False)
    assert [p['name'] for p in cloud.ports.values()
            if p.get('device_owner') == vip.RESERVATION_OWNER] == [
        'vip-10.0.0.100']


@pytest.mark.parametrize('cidr, address', [
    ('10.0.5.0/31', '10.0.5.0'), ('10.0.5.0/31', '10.0.5.1'),
    ('10.0.5.7/32', '10.0.5.7')])
def test_point_to_point_subnets_have_no_network_or_broadcast_address(
        cidr, address):
    cloud = _cloud()
    cloud.subnets = [{'id': 'p2p', 'network_id': NET, 'cidr': cidr,
                      'gateway_ip': None}]
    plan = vip.plan_add(cloud, vip.AddRequest(address, ['a'], reserve=False))
    assert str(plan.net.network_address) == address


# --- which pairs, which rows (found by mutation testing) -----------------

def test_remove_takes_only_that_address_and_that_mac():
    cloud = _cloud()
    cloud.ports['a']['allowed_address_pairs'] = [
        {'ip_address': '10.0.0.100', 'mac_address': 'fa:16:3e:aa:aa:aa'},
        {'ip_address': '10.0.0.100', 'mac_address': 'fa:16:3e:bb:bb:bb'},
        {'ip_address': '10.0.0.101', 'mac_address': 'fa:16:3e:aa:aa:aa'}]
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a'], mac='fa:16:3e:aa:aa:aa'))
    vip.apply_remove(cloud, plan)
    assert _pairs(cloud, 'a') == [('10.0.0.100', 'fa:16:3e:bb:bb:bb'),
                                  ('10.0.0.101', 'fa:16:3e:aa:aa:aa')]
    plan = vip.plan_remove(cloud, vip.RemoveRequest('10.0.0.100', ['a']))
    vip.apply_remove(cloud, plan)
    assert _pairs(cloud, 'a') == [('10.0.0.101', 'fa:16:3e:aa:aa:aa')]


def test_a_second_mac_for_the_same_address_is_a_new_pair():
    cloud = _cloud()
    _add(cloud, ports=['a'], reserve=False)
    _add(cloud, ports=['a'], reserve=False, mac='fa:16:3e:cc:cc:cc')
    assert _pairs(cloud, 'a') == [('10.0.0.100', None),
                                  ('10.0.0.100', 'fa:16:3e:cc:cc:cc')]
    rows = _add(cloud, ports=['a'], reserve=False)
    assert rows[0].action == 'unchanged'


def test_rows_name_the_ports_and_the_reservation():
    cloud = _cloud()
    rows = _add(cloud, ports=['a', 'b'])
    assert [(r.item, r.name, r.action) for r in rows] == [
        ('a', 'a', 'added'), ('b', 'b', 'added'),
        ('new-1', 'vip-10.0.0.100', 'reserved')]
    assert [(r.item, r.name, r.action)
            for r in vip.preview_add(vip.plan_add(cloud, vip.AddRequest(
                '10.0.0.100', ['a', 'c'])))] == [
        ('a', 'a', 'unchanged'), ('c', 'c', 'would add'),
        ('new-1', 'vip-10.0.0.100', 'reservation kept')]


def test_a_subnet_with_a_bad_cidr_does_not_hide_the_next_one():
    cloud = _cloud()
    cloud.subnets.insert(0, {'id': 'odd', 'network_id': NET,
                             'cidr': 'not-a-cidr'})
    plan = vip.plan_add(cloud, vip.AddRequest('10.0.0.100', ['a']))
    assert plan.subnet['id'] == 'sub-1'


@pytest.mark.parametrize('failures, ok', [(vip.MAX_ERRORS - 1, True),
                                          (vip.MAX_ERRORS, False)])
def test_transient_errors_are_retried_up_to_the_budget(failures, ok):
    cloud = _cloud()
    real_put = cloud.put
    left = [failures]

    def put(path, *a, **kw):
        if path == '/ports/a' and left[0]:
            left[0] -= 1
            raise ConnectionResetError('Connection reset by peer')
        return real_put(path, *a, **kw)
    cloud.put = put
    if ok:
        assert _add(cloud, ports=['a'], reserve=False)[0].action == 'added'
    else:
        with pytest.raises(harden.Refused, match='reset'):
            _add(cloud, ports=['a'], reserve=False)
        assert _pairs(cloud, 'a') == []


# --- the tool's own ports are proven, not claimed -------------------------

def _look_alike(**more):
    """A port named and owned like the reservation of 10.0.0.100."""
    return dict(_port('fake', n=40), name='vip-10.0.0.100',
                device_owner=vip.RESERVATION_OWNER, admin_state_up=False,
                fixed_ips=[{'ip_address': '10.0.0.100',
                            'subnet_id': 'sub-1'}], **more)


@pytest.mark.parametrize('more', [
    {'project_id': 'member'},                 # another project's port
    {'device_id': 'instance-1'},              # in use by a device
    {'admin_state_up': True},                 # up
])
def test_add_never_takes_a_look_alike_as_its_reservation(more):
    port = _look_alike()
    port.update(more)
    cloud = _cloud(port)
    before = {p: dict(cloud.ports[p]) for p in cloud.ports}
    with pytest.raises(harden.Refused, match=r'^10.0.0.100 is held by port '
                       r'fake of project %s, named and owned like a VIP '
                       r'reservation but not one made for project proj'
                       % port['project_id']):
        _add(cloud)
    assert {p: dict(cloud.ports[p]) for p in cloud.ports} == before


def test_release_never_deletes_a_look_alike_of_another_project():
    cloud = _cloud(_look_alike(project_id='member'))
    _add(cloud, address='10.0.0.101')       # the VIP ports exist
    with pytest.raises(harden.Refused, match='of project member, named and '
                       'owned like a VIP reservation'):
        vip.plan_remove(cloud, vip.RemoveRequest(
            '10.0.0.100', ['a'], release=True))
    # looked for in the VIP's project, it is not found at all
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', all_ports=True, release=True, project_id='proj'))
    assert plan.reservation is None
    assert 'fake' in cloud.ports


def test_list_tells_a_look_alike_from_a_reservation():
    pair = [{'ip_address': '10.0.0.100'}]
    ports = [_port('a', pairs=pair, n=1), _port('b', pairs=pair, n=2),
             _look_alike(project_id='member')]
    [found] = vip.list_vips(ports)
    assert 'address is held by port fake of project member, a look-alike ' \
        'of a reservation' in found.warnings
