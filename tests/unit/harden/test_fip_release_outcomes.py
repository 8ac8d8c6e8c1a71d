"""What a release and a restore report, row by row, under every fault at
every request: the row says what happened to the floating IP (released,
restored, failed), in full, and agrees with the cloud afterwards."""

import pytest

from tests.unit.audit.fakes import FakeResponse
from tests.unit import faults
from tests.unit.harden import test_fip_release as base
from xloudclient.harden import fip_release as fr


def _row(r):
    return (r.floating_ip_id, r.address, r.project_id, r.action, r.failed,
            r.new_id)


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
    assert (row.floating_ip_id, row.address, row.project_id) == (
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
    return faults.count_requests(lambda c: fr.restore(c, [_entry()]),
                                 _released())


@pytest.mark.parametrize('kind', faults.KINDS)
@pytest.mark.parametrize('at', range(1, _restore_requests() + 1))
def test_a_restore_row_agrees_with_the_cloud(kind, at):
    cloud = _released()
    [row] = fr.restore(faults.FaultyClient(cloud, kind, at), [_entry()])
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
    assert _row(fr.restore(cloud, [_entry()], dry_run=True)[0]) == (
        'f1', '203.0.113.1', 'p1', 'would allocate', False, '')
    assert _ids(cloud) == ['f2', 'f3']
    [first] = fr.restore(cloud, [_entry()])
    [again] = fr.restore(cloud, [_entry()])
    assert _row(again) == ('f1', '203.0.113.1', 'p1', 'already present',
                           False, first.new_id)
    assert len(_held(cloud)) == 1


class _PolicyRefuses(_AlwaysChanging):
    """A Neutron whose policy refuses a given floating_ip_address."""

    def post(self, path, **kw):
        return FakeResponse(403, {'NeutronError': {
            'message': 'rule:create_floatingip:floating_ip_address is '
                       'disallowed by policy'}})


def test_a_restore_refused_by_policy_says_an_admin_must_run_it():
    cloud = _released()
    [row] = fr.restore(_PolicyRefuses(cloud), [_entry()])
    assert row.failed is True and row.action.startswith(
        'failed: ' + fr.ADMIN_ONLY) and 'disallowed by policy' in row.action
    assert _held(cloud) == []
