"""What `port vip add/remove` report, row by row and message by message.

A failed run's message is the admin's way on: it names what was undone,
what was not, and the command that finishes; each is checked in full.
"""

import pytest

from tests.unit.clouds import FakeResponse
from tests.unit.harden import vip_cases as base
from xloudclient.harden import vip
from xloudclient import harden

FINISH = ('finish with `openstack port vip remove 10.0.0.100 --all-ports '
          '--network net-1 --release --project proj`')


def _failing(cloud, method, match, times=None, answer=None):
    """Requests `method` on paths containing `match` fail (500, or the
    exception `answer`), every time or the first `times` times."""
    real = getattr(cloud, method)
    calls = []

    def call(path, *a, **kw):
        if match in path and (times is None or len(calls) < times):
            calls.append(path)
            if answer is not None:
                raise answer
            return FakeResponse(500, {'NeutronError': {
                'message': 'injected 500'}})
        return real(path, *a, **kw)
    setattr(cloud, method, call)
    return calls


def _rows(rows):
    return [(r.item, r.name, r.action, r.conflicts) for r in rows]


# --- add --------------------------------------------------------------------

def test_add_without_reserving_says_so_in_preview_and_result():
    cloud = base._cloud()
    plan = vip.plan_add(cloud, vip.AddRequest(
        '10.0.0.100', ['a'], reserve=False))
    assert _rows(vip.preview_add(plan)) == [
        ('a', 'a', 'would add', 0), ('', '', 'not reserved', 0)]
    assert _rows(vip.apply_add(cloud, plan)) == [
        ('a', 'a', 'added', 0), ('', '', 'not reserved', 0)]


def test_preview_names_the_reservation_it_would_make():
    cloud = base._cloud()
    plan = vip.plan_add(cloud, vip.AddRequest('10.0.0.100', ['a']))
    assert _rows(vip.preview_add(plan))[-1] == (
        '', 'vip-10.0.0.100', 'would reserve', 0)


def test_preview_with_a_pinned_mac_sees_a_pair_with_another_mac_as_missing():
    cloud = base._cloud()
    base._add(cloud, ports=['a'], reserve=False)
    plan = vip.plan_add(cloud, vip.AddRequest(
        '10.0.0.100', ['a'], reserve=False, mac='fa:16:3e:cc:cc:cc'))
    assert _rows(vip.preview_add(plan))[0] == ('a', 'a', 'would add', 0)


def test_rollback_of_a_pinned_mac_keeps_the_pair_the_port_had():
    cloud = base._cloud()
    base._add(cloud, ports=['a'], reserve=False)           # own MAC
    cloud.ports['b']['allowed_address_pairs'] = [
        {'ip_address': '10.0.1.%d' % i} for i in range(10)]  # full
    with pytest.raises(harden.Refused) as err:
        base._add(cloud, ports=['a', 'b'], reserve=False,
                  mac='fa:16:3e:cc:cc:cc')
    assert 'port a rolled back' in str(err.value)
    assert base._pairs(cloud, 'a') == [('10.0.0.100', None)]


def test_rollback_goes_past_a_port_that_had_the_vip_before():
    cloud = base._cloud(base._port('d', n=4))
    base._add(cloud, ports=['c'], reserve=False)
    cloud.ports['d']['allowed_address_pairs'] = [
        {'ip_address': '10.0.1.%d' % i} for i in range(10)]
    with pytest.raises(harden.Refused) as err:
        base._add(cloud, ports=['a', 'b', 'c', 'd'], reserve=False)
    assert str(err.value).endswith(
        'undone: port b rolled back, port a rolled back')
    assert base._pairs(cloud, 'a') == [] and base._pairs(cloud, 'b') == []
    assert base._pairs(cloud, 'c') == [('10.0.0.100', None)]


def test_a_reservation_whose_answer_was_lost_is_found_and_deleted():
    cloud = base._cloud()
    real = cloud.post

    def post(path, *a, **kw):
        real(path, *a, **kw)                        # it lands
        raise TimeoutError('Read timed out')
    cloud.post = post
    with pytest.raises(harden.Refused) as err:
        base._add(cloud)
    assert str(err.value).endswith('undone: reservation new-1 deleted')
    assert sorted(cloud.ports) == ['a', 'b', 'c']


def test_rollback_that_fails_names_what_is_left_and_how_to_finish():
    cloud = base._cloud()
    cloud.ports['c']['allowed_address_pairs'] = [
        {'ip_address': '10.0.1.%d' % i} for i in range(10)]
    real_put = cloud.put

    def put(path, json=None, **kw):
        # the rollback's write to `a` (it removes the pair) fails
        if path == '/ports/a' and not any(
                p['ip_address'] == '10.0.0.100'
                for p in json['port']['allowed_address_pairs']):
            return FakeResponse(500, {'NeutronError': {
                'message': 'injected 500'}})
        return real_put(path, json=json, **kw)
    cloud.put = put
    _failing(cloud, 'delete', '/ports/new-1')
    with pytest.raises(harden.Refused) as err:
        base._add(cloud)
    undone = str(err.value).split('; undone: ', 1)[1].split(', ')
    assert undone == [
        'port b rolled back',
        'port a NOT rolled back (updating port a: injected 500)',
        'reservation of 10.0.0.100 NOT deleted (deleting port new-1: '
        'injected 500)', FINISH]


# --- remove -----------------------------------------------------------------

def test_remove_rows_name_ports_count_conflicts_and_release():
    cloud = base._cloud()
    base._add(cloud, ports=['a', 'b'])

    def hook(cloud, method, path):
        if method == 'PUT' and path == '/ports/b' and not hook.done:
            hook.done = True
            cloud.set_port('b', description='edited')
    hook.done = False
    cloud.hook = hook
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a', 'b'], release=True))
    plan.ports[1]['name'] = None
    assert _rows(vip.apply_remove(cloud, plan)) == [
        ('a', 'a', 'removed', 0), ('b', '', 'removed', 1),
        ('new-1', 'vip-10.0.0.100', 'released', 0)]


def test_remove_failing_on_release_names_the_ports_done_and_the_command():
    cloud = base._cloud()
    base._add(cloud, ports=['a', 'b'])
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a', 'b'], release=True))
    calls = _failing(cloud, 'delete', '/ports/new-1')
    with pytest.raises(harden.Refused) as err:
        vip.apply_remove(cloud, plan)
    assert str(err.value) == (
        'deleting port new-1: injected 500; removed from a, b; ' + FINISH)
    assert len(calls) == vip.MAX_ERRORS       # transient: retried


def test_remove_failing_on_the_first_port_says_no_port_yet():
    cloud = base._cloud()
    base._add(cloud, ports=['a'], reserve=False)
    plan = vip.plan_remove(cloud, vip.RemoveRequest('10.0.0.100', ['a']))
    _failing(cloud, 'put', '/ports/a')
    with pytest.raises(harden.Refused) as err:
        vip.apply_remove(cloud, plan)
    assert str(err.value) == (
        'updating port a: injected 500; removed from no port yet; '
        'finish with `openstack port vip remove 10.0.0.100 --all-ports '
        '--network net-1`')


def test_release_alone_failing_takes_the_network_from_the_reservation():
    cloud = base._cloud()
    base._add(cloud, ports=['a'])
    base.vip.apply_remove(cloud, vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a'])))
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', release=True, project_id='proj'))
    assert plan[2] == [] and plan[3]['id'] == 'new-1'
    _failing(cloud, 'delete', '/ports/new-1')
    with pytest.raises(harden.Refused) as err:
        vip.apply_remove(cloud, plan)
    assert str(err.value).endswith('removed from no port yet; ' + FINISH)


def test_a_refused_release_is_not_retried():
    cloud = base._cloud()
    base._add(cloud, ports=['a'])
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a'], release=True))
    real = cloud.delete
    calls = []

    def delete(path, **kw):
        if path == '/ports/new-1':
            calls.append(path)
            return FakeResponse(403, {'NeutronError': {
                'message': 'not allowed'}})
        return real(path, **kw)
    cloud.delete = delete
    with pytest.raises(harden.Refused, match='not allowed'):
        vip.apply_remove(cloud, plan)
    assert len(calls) == 1


def test_a_planning_failure_is_one_line_saying_nothing_changed():
    cloud = base._cloud()
    _failing(cloud, 'get', '/ports')
    with pytest.raises(harden.Refused) as err:
        vip.plan_remove(cloud, vip.RemoveRequest('10.0.0.100', ['a']))
    assert str(err.value).endswith('; nothing was changed')
    assert 'injected 500' in str(err.value)


def test_gives_up_on_a_port_that_keeps_changing_naming_the_conflicts():
    cloud = base._cloud()

    def hook(cloud, method, path):
        if method == 'PUT' and path == '/ports/a':
            cloud.set_port('a', description='busy')
    cloud.hook = hook
    with pytest.raises(harden.Refused) as err:
        base._add(cloud, ports=['a'], reserve=False)
    assert str(err.value).startswith('gave up on port a after %d revision '
                                     'conflicts' % vip.MAX_ATTEMPTS)


# --- list -------------------------------------------------------------------

def test_list_every_field_and_warning():
    port = base._port
    ports = [
        port('a', pairs=[{'ip_address': '10.0.0.100',
                          'mac_address': 'fa:16:3e:00:00:01'}], n=1),
        port('b', pairs=[{'ip_address': '10.0.0.100'},
                         {'ip_address': 'not an address'},
                         {'ip_address': '10.0.0.100',
                          'mac_address': 'fa:16:3e:cc:cc:cc'}],
             enabled=False, n=2),
        port('c', pairs=[{'ip_address': '10.0.0.11'}], n=3),
        port('x', network='net-2', pairs=[{'ip_address': '10.0.0.100'}],
             n=4),
        port('y', pairs=[{'ip_address': '10.0.0.0/28'}], n=5),
        port('z', pairs=[{'ip_address': '10.0.0.0/28'}], n=6),
    ]
    listed = [(v.network_id, v.address, v.mac, v.members, v.reservation,
               v.warnings) for v in vip.list_vips(ports)]
    assert listed == [
        ('net-1', '10.0.0.0/28', '', ['y', 'z'], 'not reserved (a prefix)',
         ['pair wider than a host (/28)']),
        ('net-1', '10.0.0.100', '', ['a', 'b'], 'not reserved',
         ['address not reserved: Neutron may hand it to another port',
          'member b has port security disabled']),
        ('net-1', '10.0.0.100', 'fa:16:3e:cc:cc:cc', ['b'], 'not reserved',
         ['address not reserved: Neutron may hand it to another port',
          'member b has port security disabled', 'only one member port']),
        ('net-1', '10.0.0.11', '', ['c'], 'a',
         ['address is the fixed IP of port a, not a reservation',
          'only one member port']),
        ('net-2', '10.0.0.100', '', ['x'], 'not reserved',
         ['address not reserved: Neutron may hand it to another port',
          'only one member port'])]
    assert [v.network_id for v in vip.list_vips(ports, 'net-2')] == ['net-2']
    assert [v.address for v in vip.list_vips(list(reversed(ports)),
                                             'net-1')] == [
        '10.0.0.0/28', '10.0.0.100', '10.0.0.100', '10.0.0.11']


# --- what a plan asks Neutron, and what it creates --------------------------

def test_the_reservation_belongs_to_the_ports_project():
    cloud = base._cloud()
    base._add(cloud, ports=['a'])
    assert cloud.ports['new-1']['project_id'] == 'proj'


def test_a_write_that_landed_behind_an_error_is_reported_as_added():
    cloud = base._cloud()
    real = cloud.put
    calls = []

    def put(path, *a, **kw):
        answer = real(path, *a, **kw)               # it lands
        if path == '/ports/a' and not calls:
            calls.append(path)
            return FakeResponse(500, {'NeutronError': {'message': 'x'}})
        return answer
    cloud.put = put
    rows = base._add(cloud, ports=['a'], reserve=False)
    assert rows[0].action == 'added'
    assert base._pairs(cloud, 'a') == [('10.0.0.100', None)]


def test_adding_a_pinned_mac_again_is_unchanged():
    cloud = base._cloud()
    base._add(cloud, ports=['a'], reserve=False, mac='fa:16:3e:cc:cc:cc')
    rows = base._add(cloud, ports=['a'], reserve=False,
                     mac='fa:16:3e:cc:cc:cc')
    assert rows[0].action == 'unchanged'


def test_a_prefix_with_host_bits_is_taken_as_its_network():
    assert str(vip.parse_address('10.0.0.17/28', True)) == '10.0.0.16/28'
    port = base._port('a', pairs=[{'ip_address': '10.0.0.17/28'}])
    [listed] = vip.list_vips([port])
    assert listed.address == '10.0.0.16/28'


def test_release_looks_for_reservations_in_the_project_only():
    cloud = base._cloud(dict(base._port('o', network='net-9', n=9),
                             project_id='other'))
    cloud.subnets.append({'id': 'sub-9', 'network_id': 'net-9',
                          'cidr': '10.0.0.0/24', 'gateway_ip': '10.0.0.1'})
    base._add(cloud, ports=['a'])
    base._add(cloud, ports=['o'])
    for pid in ('a', 'o'):
        vip.apply_remove(cloud, vip.plan_remove(cloud, vip.RemoveRequest(
            '10.0.0.100', [pid])))
    with pytest.raises(harden.Refused, match='reserved on 2 networks'):
        vip.plan_remove(cloud, vip.RemoveRequest('10.0.0.100', release=True))
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', release=True, project_id='proj'))
    assert plan[3]['network_id'] == 'net-1'


def test_remove_preview_names_what_would_change_and_changes_nothing():
    cloud = base._cloud()
    base._add(cloud, ports=['a', 'b'])
    plan = vip.plan_remove(cloud, vip.RemoveRequest(
        '10.0.0.100', ['a', 'b', 'c'], release=True))
    plan.ports[0]['name'] = None
    before = repr(cloud.ports)
    assert _rows(vip.preview_remove(plan)) == [
        ('a', '', 'would remove', 0), ('b', 'b', 'would remove', 0),
        ('c', 'c', 'unchanged', 0),
        ('new-1', 'vip-10.0.0.100', 'would release', 0)]
    rest = plan._replace(ports=plan.ports[1:], reservation=None)
    assert _rows(vip.preview_remove(rest)) == [
        ('b', 'b', 'would remove', 0), ('c', 'c', 'unchanged', 0)]
    assert repr(cloud.ports) == before
