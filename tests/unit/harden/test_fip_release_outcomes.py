"""What a release and a restore report, row by row, under every fault at
every request: the row says what happened to the floating IP (released,
restored, failed), in full, and agrees with the cloud afterwards."""

import pytest

from tests.unit.clouds import FakeResponse
from tests.unit import faults
from tests.unit.harden import fip_release_cases as base
from xloudclient import harden
from xloudclient.harden import fip_release as fr
from xloudclient.harden import fip_release_restore as restoring


def _row(r):
    return (r.item, r.name, r.project_id, r.action, r.failed,
            (r.made[0] if r.made else ''))


def _one():
    cloud = base._cloud()
    return cloud, fr.select(cloud.data['floatingips'], refs=['f1'],
                            now=base.NOW)


def _ids(cloud):
    return [f['id'] for f in cloud.data['floatingips']]


def _release_requests():
    cloud, plan = _one()
    return faults.count_requests(lambda c: fr.apply_release(c, plan), cloud)


@pytest.mark.parametrize('kind', faults.KINDS)
@pytest.mark.parametrize('at', range(1, _release_requests() + 1))
def test_a_release_row_agrees_with_the_cloud(kind, at):
    cloud, plan = _one()
    [row] = fr.apply_release(faults.FaultyClient(cloud, kind, at), plan)
    if 'f1' in _ids(cloud):
        assert row.failed and row.action.startswith('failed: '), row
    else:
        # our own DELETE removed it, even when its answer was lost
        assert _row(row) == ('f1', '203.0.113.1', 'p1', 'released', False,
                             '')


class _AlwaysChanging:
    """A Neutron where the floating IP changes between every read and
    delete: each delete at the revision read answers 412."""

    def __init__(self, cloud):
        self.cloud, self.deletes = cloud, 0

    def __getattr__(self, name):
        return getattr(self.cloud, name)

    def delete(self, path, **kw):
        self.deletes += 1
        return FakeResponse(412, {'NeutronError': {
            'type': 'RevisionNumberConstraintFailed',
            'message': 'revision changed'}})


def test_a_release_gives_up_after_max_conflicts_and_says_why():
    cloud, plan = _one()
    client = _AlwaysChanging(cloud)
    [row] = fr.apply_release(client, plan)
    assert client.deletes == fr.MAX_CONFLICTS
    assert row.failed is True and row.action.startswith(
        'failed: kept changing (') and 'revision changed' in row.action
    assert (row.item, row.name, row.project_id) == (
        'f1', '203.0.113.1', 'p1')
    assert 'f1' in _ids(cloud)


def test_a_release_that_keeps_failing_names_the_error():
    cloud, plan = _one()
    client = faults.FaultyClient(cloud, '503', methods=('delete',))
    [row] = fr.apply_release(client, plan)
    assert row.failed is True and row.action.startswith('failed: ') and \
        'injected 503' in row.action and 'kept changing' not in row.action


# --- restore ---------------------------------------------------------

def _entry():
    cloud, plan = _one()
    return {k: plan.release[0].get(k) for k in fr.KEPT}


def _released():
    cloud = base._cloud()
    cloud.data['floatingips'] = [f for f in cloud.data['floatingips']
                                 if f['id'] != 'f1']
    return cloud


def _held(cloud):
    return [f for f in cloud.data['floatingips']
            if f['floating_ip_address'] == '203.0.113.1']


def _restore_requests():
    return faults.count_requests(lambda c: restoring.restore(c, [_entry()]),
                                 _released())


@pytest.mark.parametrize('kind', faults.KINDS)
@pytest.mark.parametrize('at', range(1, _restore_requests() + 1))
def test_a_restore_row_agrees_with_the_cloud(kind, at):
    cloud = _released()
    [row] = restoring.restore(faults.FaultyClient(cloud, kind, at), [_entry()])
    held = _held(cloud)
    if held and sorted(held[0].get('tags') or ()) == ['keep-me']:
        assert _row(row) == ('f1', '203.0.113.1', 'p1', 'restored', False,
                             held[0]['id'])
        assert held[0]['project_id'] == 'p1'
        assert held[0]['description'] == 'web f1'
    else:
        assert row.failed and row.action.startswith('failed: '), row


def test_a_rerun_says_already_present_and_a_dry_run_would_allocate():
    cloud = _released()
    assert _row(restoring.restore(cloud, [_entry()], dry_run=True)[0]) == (
        'f1', '203.0.113.1', 'p1', 'would allocate', False, '')
    assert _ids(cloud) == ['f2', 'f3']
    [first] = restoring.restore(cloud, [_entry()])
    [again] = restoring.restore(cloud, [_entry()])
    assert _row(again) == ('f1', '203.0.113.1', 'p1', 'already present',
                           False, first.made[0])
    assert len(_held(cloud)) == 1


class _PolicyRefuses(_AlwaysChanging):
    """A Neutron whose policy refuses a given floating_ip_address."""

    def post(self, path, **kw):
        return FakeResponse(403, {'NeutronError': {
            'message': 'rule:create_floatingip:floating_ip_address is '
                       'disallowed by policy'}})


def test_a_restore_refused_by_policy_says_who_must_run_it():
    cloud = _released()
    [row] = restoring.restore(_PolicyRefuses(cloud), [_entry()])
    assert row.failed is True and row.action.startswith(
        'failed: ' + restoring.CHOSEN_ADDRESS)
    assert 'disallowed by policy' in row.action
    assert _held(cloud) == []


# --- the requests each outcome takes, and its row in full ------------

def _writes(cloud):
    return [(m, p) for m, p in cloud.log if m != 'GET']


def test_a_restore_is_one_lookup_one_allocation_and_one_tagging():
    cloud = _released()
    cloud.log.clear()
    [row] = restoring.restore(cloud, [_entry()])
    [held] = _held(cloud)
    assert _row(row) == ('f1', '203.0.113.1', 'p1', 'restored', False,
                         held['id'])
    assert cloud.log == [('GET', '/floatingips'), ('POST', '/floatingips'),
                         ('PUT', '/floatingips/%s/tags' % held['id'])]
    assert held['tags'] == ['keep-me']


def test_a_rerun_with_the_tags_in_place_writes_nothing():
    cloud = _released()
    restoring.restore(cloud, [_entry()])
    cloud.log.clear()
    restoring.restore(cloud, [_entry()])
    assert _writes(cloud) == []


def test_an_entry_without_tags_sets_none():
    cloud = _released()
    cloud.log.clear()
    [row] = restoring.restore(cloud, [dict(_entry(), tags=[])])
    assert row.action == 'restored'
    assert _writes(cloud) == [('POST', '/floatingips')]


def test_a_dry_run_never_tags_an_address_it_finds_untagged():
    cloud = _released()
    restoring.restore(cloud, [dict(_entry(), tags=[])])  # allocated, untagged
    cloud.log.clear()
    [row] = restoring.restore(cloud, [_entry()], dry_run=True)
    assert (row.action, row.failed) == ('already present', False)
    assert _writes(cloud) == []


class _Answers:
    """A Neutron that answers every request of one method with status."""

    def __init__(self, cloud, method, status, message='refused'):
        self.cloud, self.method, self.status = cloud, method, status
        self.message, self.calls = message, 0

    def __getattr__(self, name):
        if name != self.method:
            return getattr(self.cloud, name)

        def answer(*args, **kw):
            self.calls += 1
            return FakeResponse(self.status, {'NeutronError': {
                'message': self.message}})
        return answer


def test_a_refused_allocation_is_not_tried_again():
    cloud = _released()
    client = _Answers(cloud, 'post', 400, 'address not in subnet')
    [row] = restoring.restore(client, [_entry()])
    assert client.calls == 1
    assert _row(row) == ('f1', '203.0.113.1', 'p1', 'failed: allocating '
                         '203.0.113.1: address not in subnet', True, '')


def test_an_allocation_failing_every_time_names_the_error_in_full():
    cloud = _released()
    client = faults.FaultyClient(cloud, '503', methods=('post',))
    [row] = restoring.restore(client, [_entry()])
    assert _row(row) == ('f1', '203.0.113.1', 'p1', 'failed: allocating '
                         '203.0.113.1: injected 503', True, '')
    assert _held(cloud) == []


def test_a_lookup_failing_every_time_names_the_lookup():
    cloud = _released()
    cloud.fail['/floatingips'] = 503
    [row] = restoring.restore(cloud, [_entry()])
    assert _row(row) == ('f1', '203.0.113.1', 'p1', 'failed: looking up '
                         'floating IP 203.0.113.1: injected', True, '')


def test_a_delete_that_finds_it_gone_says_already_gone():
    cloud, plan = _one()
    client = _Answers(cloud, 'delete', 404)
    [row] = fr.apply_release(client, plan)
    assert _row(row) == ('f1', '203.0.113.1', 'p1', 'already gone', False,
                         '')


def test_a_refused_delete_is_not_tried_again():
    cloud, plan = _one()
    client = _Answers(cloud, 'delete', 403, 'rule:delete_floatingip')
    [row] = fr.apply_release(client, plan)
    assert client.calls == 1
    assert _row(row) == ('f1', '203.0.113.1', 'p1', 'failed: deleting '
                         'floating IP f1: rule:delete_floatingip', True, '')


def _failed(n, ok=1):
    rows = [harden.Row('f%d' % i, 'failed: x', True, 'p1',
                       name='203.0.113.%d' % i)
            for i in range(n)]
    return rows + [harden.Row('g', 'released', project_id='p1',
                              name='198.51.100.1')] * ok


def test_failures_names_three_and_counts_the_rest():
    assert fr.failures(_failed(3), 'release', ['openstack', 'z']) == (
        '3 of 4 floating IPs failed to release (203.0.113.0: failed: x; '
        '203.0.113.1: failed: x; 203.0.113.2: failed: x); finish with '
        '`openstack z`')
    assert fr.failures(_failed(4), 'restore', ['openstack', 'z']) == (
        '4 of 5 floating IPs failed to restore (203.0.113.0: failed: x; '
        '203.0.113.1: failed: x; 203.0.113.2: failed: x; ...); finish with '
        '`openstack z`')
    assert fr.failures(_failed(0), 'release', ['openstack', 'z']) == ''
