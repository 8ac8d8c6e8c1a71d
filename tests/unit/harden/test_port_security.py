import datetime

import pytest

from tests.unit.clouds import FakeNeutron
from xloudclient.harden import port_security as ps
from xloudclient import records as rec
from xloudclient import harden
from tests.unit.harden.port_security_cases import DEFAULT_SG
from tests.unit.harden.port_security_cases import REVIEW
from tests.unit.harden.port_security_cases import SG1
from tests.unit.harden.port_security_cases import SG2
from tests.unit.harden.port_security_cases import TODAY
from tests.unit.harden.port_security_cases import _cloud
from tests.unit.harden.port_security_cases import _disable
from tests.unit.harden.port_security_cases import _port
from tests.unit.harden.port_security_cases import _records


def _inv(ports, endorsed=True):
    """The inventory of the ports, every record on them endorsed (as the
    tool's own disable, run by an admin, leaves them) unless not."""
    from tests.unit import endorse
    from xloudclient.audit import inventory

    return inventory.Inventory(
        ports=ports, endorsements=endorse.of_records({'ports': ports})
        if endorsed else {})


def _consistent(cloud):
    port = cloud.ports['p1']
    records = _records(cloud)
    if port['port_security_enabled']:
        return not records
    return len(records) >= 1


# --- review dates -----------------------------------------------------------

def test_review_default_is_90_days():
    assert ps.review_date(TODAY) == TODAY + datetime.timedelta(days=90)


@pytest.mark.parametrize('kw, message', [
    ({'review_by': '2026-11-25'}, 'in the past'),
    ({'review_by': '26/11/2026'}, 'YYYY-MM-DD'),
    ({'review_by': '2027-W05-1'}, 'YYYY-MM-DD'),
    ({'review_by': '20300101'}, 'YYYY-MM-DD'),
    ({'review_by': '2027-02-30'}, 'YYYY-MM-DD'),
    ({'review_by': '2027-01-01T00:00'}, 'YYYY-MM-DD'),
    ({'review_in': -1}, 'negative'),
    ({'review_in': 400}, 'from 0 to 366'),
    ({'review_in': 999999999}, 'from 0 to 366'),
    ({'review_in': 99999999999}, 'from 0 to 366'),
])
def test_review_date_errors(kw, message):
    with pytest.raises(harden.Refused, match=message):
        ps.review_date(TODAY, **kw)


def test_review_today_is_allowed():
    assert ps.review_date(TODAY, review_by='2026-11-26') == TODAY
    assert ps.review_date(TODAY, review_in=0) == TODAY


def test_review_limits_are_inclusive():
    last = TODAY + datetime.timedelta(days=ps.MAX_REVIEW_DAYS)
    assert ps.review_date(TODAY, review_in=ps.MAX_REVIEW_DAYS) == last
    assert ps.review_date(TODAY, review_by=last.isoformat()) == last
    with pytest.raises(harden.Refused, match='more than 366 days'):
        ps.review_date(TODAY, review_by=(
            last + datetime.timedelta(days=1)).isoformat())


# --- disable ----------------------------------------------------------------

def test_disable_records_groups_and_keeps_other_tags():
    cloud = _cloud()
    out = _disable(cloud)
    port = cloud.ports['p1']
    assert port['port_security_enabled'] is False
    assert port['security_groups'] == []
    assert 'keep-me' in port['tags']
    [record] = _records(cloud)
    assert record.security_groups == (SG1, SG2)
    assert record.reason == 'appliance' and record.review_by == REVIEW
    assert record.granted_by == 'admin' and not record.pending
    assert out.record == record and out.conflicts == 0 and out.changed
    assert out.security_groups_before == [SG1, SG2]


def test_dry_run_changes_nothing():
    cloud = _cloud()
    before = dict(cloud.ports['p1'], tags=list(cloud.ports['p1']['tags']))
    out = _disable(cloud, dry_run=True)
    assert cloud.ports['p1'] == before
    assert out.record.security_groups == (SG1, SG2) and not out.changed
    assert [m for m, _ in cloud.log] == ['GET']


def test_address_pairs_refused_before_any_change():
    cloud = _cloud(allowed_address_pairs=[{'ip_address': '10.0.0.5',
                                           'mac_address': 'fa:16:3e:0:0:1'}])
    with pytest.raises(harden.Refused, match='10.0.0.5'):
        _disable(cloud)
    assert [m for m, _ in cloud.log] == ['GET']


def test_reason_too_long_refused_before_any_change():
    cloud = _cloud()
    with pytest.raises(rec.RecordError):
        _disable(cloud, reason='x' * 250)
    assert [m for m, _ in cloud.log] == ['GET']


def test_existing_exception_needs_renew():
    cloud = _cloud()
    _disable(cloud)
    cloud.log.clear()
    with pytest.raises(harden.Refused, match='--renew') as err:
        _disable(cloud, reason='again')
    assert 'concurrent' not in str(err.value)
    assert [m for m, _ in cloud.log] == ['GET']    # refused before writing
    assert [r.reason for r in _records(cloud)] == ['appliance']


def test_a_renewal_in_the_same_second_is_still_the_newer_record():
    cloud = _cloud()
    now = datetime.datetime(2026, 11, 27, 10, 0, 0, 500000,
                            tzinfo=datetime.timezone.utc)
    first = _disable(cloud, now=now).record
    second = _disable(cloud, reason='renewed', renew=True, now=now).record
    assert second.granted == first.granted + datetime.timedelta(seconds=1)
    assert [r.reason for r in _records(cloud)] == ['renewed']


def test_renew_replaces_the_record_and_keeps_the_groups():
    cloud = _cloud()
    _disable(cloud)
    _disable(cloud, reason='renewed', renew=True)
    [record] = _records(cloud)
    assert record.reason == 'renewed'
    assert record.security_groups == (SG1, SG2)


def test_disabled_by_hand_gets_a_record_with_unknown_groups():
    cloud = _cloud(port_security_enabled=False, security_groups=[])
    out = _disable(cloud)
    assert _records(cloud)[0].security_groups == ()
    assert 'unknown' in out.notes[0]


def test_revision_conflict_is_retried_with_the_new_groups():
    cloud = _cloud()

    def hook(cloud, method, path):
        # Another admin adds a security group just before our update.
        if method == 'PUT' and path == '/ports/p1' and not hook.done:
            hook.done = True
            cloud.set_port('p1', security_groups=[SG1, SG2, DEFAULT_SG])
    hook.done = False
    cloud.hook = hook
    out = _disable(cloud)
    assert out.conflicts == 1
    [record] = _records(cloud)
    assert set(record.security_groups) == {SG1, SG2, DEFAULT_SG}
    assert cloud.ports['p1']['port_security_enabled'] is False


def test_gives_up_after_bounded_attempts_and_cleans_up():
    cloud = _cloud()

    def hook(cloud, method, path):
        if method == 'PUT' and path == '/ports/p1':
            cloud.set_port('p1', name='busy')  # always one step ahead
    cloud.hook = hook
    with pytest.raises(harden.Refused, match='gave up'):
        _disable(cloud, max_attempts=4)
    assert cloud.ports['p1']['port_security_enabled'] is True
    assert _records(cloud) == []
    assert cloud.ports['p1']['tags'] == ['keep-me']


def test_concurrent_enable_removing_our_record_is_survived():
    cloud = _cloud()

    def hook(cloud, method, path):
        # Right before our guarded update, someone strips our record.
        if method == 'PUT' and path == '/ports/p1' and not hook.done:
            hook.done = True
            port = cloud.ports['p1']
            port['tags'] = [t for t in port['tags']
                            if not rec.is_record_tag(t)]
            cloud._bump(port)
    hook.done = False
    cloud.hook = hook
    _disable(cloud)
    assert _consistent(cloud)
    assert len(_records(cloud)) == 1


# --- enable -----------------------------------------------------------------

def test_enable_restores_recorded_groups_and_removes_record():
    cloud = _cloud()
    _disable(cloud)
    out = ps.enable(cloud, 'p1')
    port = cloud.ports['p1']
    assert port['port_security_enabled'] is True
    assert port['security_groups'] == [SG1, SG2]
    assert port['tags'] == ['keep-me']
    assert out.changed


def test_enable_with_given_groups():
    cloud = _cloud()
    _disable(cloud)
    ps.enable(cloud, 'p1', [DEFAULT_SG])
    assert cloud.ports['p1']['security_groups'] == [DEFAULT_SG]


def test_enable_without_record_uses_default_group_and_says_so():
    cloud = _cloud(port_security_enabled=False, security_groups=[])
    out = ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['security_groups'] == [DEFAULT_SG]
    assert 'default' in out.notes[0]


def test_enable_on_enabled_port_changes_nothing():
    cloud = _cloud()
    rev = cloud.ports['p1']['revision_number']
    out = ps.enable(cloud, 'p1')
    assert not out.changed
    assert cloud.ports['p1']['revision_number'] == rev


def test_enable_dry_run_changes_nothing():
    cloud = _cloud()
    _disable(cloud)
    before = dict(cloud.ports['p1'], tags=list(cloud.ports['p1']['tags']))
    out = ps.enable(cloud, 'p1', dry_run=True)
    assert cloud.ports['p1'] == before
    assert out.port['security_groups'] == [SG1, SG2]


def test_enable_removes_only_records_seen_before_its_update():
    cloud = _cloud()
    _disable(cloud)
    newer = rec.make_tag(REVIEW, datetime.datetime.now(
        datetime.timezone.utc), 'other', (), 'concurrent grant')

    def hook(cloud, method, path):
        # A concurrent disable: records and disables right after our PUT.
        if method == 'DELETE' and not hook.done:
            hook.done = True
            port = cloud.ports['p1']
            port['tags'].append(newer)
            port.update(port_security_enabled=False, security_groups=[])
            cloud._bump(port)
    hook.done = False
    cloud.hook = hook
    with pytest.raises(harden.Refused, match='concurrent'):
        ps.enable(cloud, 'p1')
    assert _consistent(cloud)
    assert [r.reason for r in _records(cloud)] == ['concurrent grant']


# --- exception rows --------------------------------------------------------


def test_exception_rows_statuses():
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    due = rec.make_tag(datetime.date(2026, 12, 1), now, 'a', (), 'ok')
    late = rec.make_tag(datetime.date(2026, 11, 1), now, 'a', (), 'late')
    ports = [_port('a-documented', False, [due]),
             _port('b-overdue', False, [late]),
             _port('c-undocumented', False),
             _port('d-invalid', False, ['xloud-psx:v1 junk']),
             _port('e-enabled', True, [due]),
             _port('f-no-attr', None),
             _port('g-unconfirmed', False,
                   [rec.make_tag(datetime.date(2026, 12, 1), now, 'a', (),
                                 'killed', pending=True)]),
             _port('h-enabled-pending', True,
                   [rec.make_tag(datetime.date(2026, 12, 1), now, 'a', (),
                                 'killed', pending=True)]),
             _port('i-enabled-clean', True)]
    rows = ps.exception_rows(_inv(ports), TODAY)
    assert [(r.port['id'], r.status) for r in rows] == [
        ('a-documented', 'documented'), ('b-overdue', 'overdue'),
        ('c-undocumented', 'undocumented'), ('d-invalid', 'invalid record'),
        ('e-enabled', 'stale'), ('g-unconfirmed', 'unconfirmed'),
        ('h-enabled-pending', 'stale')]
    assert [r.port['id'] for r in ps.exception_rows(
        _inv(ports), TODAY, overdue_only=True)] == ['b-overdue']
    # nobody endorsed them: requests, documenting nothing
    assert [(r.port['id'], r.status) for r in ps.exception_rows(
        _inv(ports, endorsed=False), TODAY)][:3] == [
        ('a-documented', 'requested'), ('b-overdue', 'requested'),
        ('c-undocumented', 'undocumented')]


# --- interrupted runs and stale records (issue 10, defect 5) ---------------

class Killed(BaseException):
    """The process dies: no cleanup code runs."""


def test_a_killed_disable_never_documents_a_later_disable_by_hand():
    cloud = _cloud()

    def hook(cloud, method, path):
        if method == 'PUT' and path == '/ports/p1':
            raise Killed()
    cloud.hook = hook
    with pytest.raises(Killed):
        _disable(cloud)
    cloud.hook = None
    assert cloud.ports['p1']['port_security_enabled'] is True
    [row] = ps.exception_rows(_inv([cloud.ports['p1']]), TODAY)
    assert row.status == 'stale'
    cloud.set_port('p1', port_security_enabled=False, security_groups=[])
    [row] = ps.exception_rows(_inv([cloud.ports['p1']]), TODAY)
    assert row.status == 'unconfirmed'
    assert rec.documenting(cloud.ports['p1']['tags']) is None


def test_a_disable_killed_after_turning_off_leaves_it_unconfirmed():
    cloud = _cloud()

    def hook(cloud, method, path):
        if method == 'PUT' and '/tags/xloud-psx%3Av1' in path:
            raise Killed()
    cloud.hook = hook
    with pytest.raises(Killed):
        _disable(cloud)
    cloud.hook = None
    assert cloud.ports['p1']['port_security_enabled'] is False
    [row] = ps.exception_rows(_inv([cloud.ports['p1']]), TODAY)
    assert row.status == 'unconfirmed'
    # --renew finishes it, keeping the recorded groups
    _disable(cloud, renew=True)
    [record] = _records(cloud)
    assert not record.pending and record.security_groups == (SG1, SG2)


def _old_tag(pending, reason='left over'):
    old = datetime.datetime.now(datetime.timezone.utc) - \
        datetime.timedelta(hours=1)
    return rec.make_tag(REVIEW, old, 'x', (SG1,), reason, pending=pending)


def test_disable_cleans_stale_records():
    stale = [_old_tag(False), _old_tag(True, 'abandoned')]
    cloud = _cloud(tags=['keep-me'] + stale)
    out = _disable(cloud)
    [record] = _records(cloud)
    assert record.reason == 'appliance' and not record.pending
    assert record.security_groups == (SG1, SG2)
    assert 'keep-me' in cloud.ports['p1']['tags']
    assert [r.reason for r in out.removed_records] == ['left over']


def test_enable_cleans_stale_records_but_not_a_run_in_progress():
    young = rec.make_tag(REVIEW, datetime.datetime.now(
        datetime.timezone.utc), 'x', (SG1,), 'running', pending=True)
    stale = [_old_tag(False), _old_tag(True, 'abandoned')]
    cloud = _cloud(tags=['keep-me', young] + stale)
    out = ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['tags'] == ['keep-me', young]
    assert out.changed and 'in progress' in out.notes[-1]


def test_enable_uses_the_newest_confirmed_record():
    older = _old_tag(False)
    cloud = _cloud(port_security_enabled=False, security_groups=[],
                   tags=[older])
    _disable(cloud, reason='newer', renew=True)
    cloud.ports['p1']['tags'].append(older)     # both on the port
    records = _records(cloud)
    assert [r.reason for r in records] == ['newer', 'left over']
    # the newer record's groups: the ones the older one recorded
    ps.enable(cloud, 'p1', None)
    assert cloud.ports['p1']['security_groups'] == [SG1]


def test_enable_prefers_newest_record_groups_over_older():
    new = rec.make_tag(REVIEW, datetime.datetime.now(
        datetime.timezone.utc), 'x', (SG2,), 'new')
    cloud = _cloud(port_security_enabled=False, security_groups=[],
                   tags=[_old_tag(False), new])
    ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['security_groups'] == [SG2]
    assert _records(cloud) == []


def test_groups_of_another_project_are_refused_by_id_too():
    cloud = _cloud(port_security_enabled=False, security_groups=[])
    cloud.security_groups.append({'id': SG2, 'name': 'theirs',
                                  'project_id': 'other'})

    def get(path, params=None, **kw):
        if path == '/security-groups/' + SG2:
            from tests.unit.clouds import FakeResponse
            return FakeResponse(200, {'security_group': {
                'id': SG2, 'name': 'theirs', 'project_id': 'other'}})
        return FakeNeutron.get(cloud, path, params, **kw)
    cloud.get = get
    with pytest.raises(harden.Refused, match='belongs to project '
                       'other'):
        ps.resolve_groups(cloud, cloud.ports['p1'], [SG2])


# --- failures part way (error paths) ------------------------------------

def _refuse(cloud, method, marker, status=403):
    """Neutron refuses the requests whose path contains marker."""
    from tests.unit.clouds import FakeResponse
    real = getattr(cloud, method.lower())

    def fake(path, *a, **kw):
        if marker in path:
            cloud.log.append((method, path))
            return FakeResponse(status, {'NeutronError': {
                'message': 'refused by policy'}})
        return real(path, *a, **kw)
    setattr(cloud, method.lower(), fake)


def test_a_failed_confirmation_keeps_the_pending_record_and_says_so():
    cloud = _cloud()
    _refuse(cloud, 'PUT', '/tags/xloud-psx%3Av1')
    with pytest.raises(harden.Refused) as err:
        _disable(cloud)
    message = str(err.value)
    assert 'refused by policy' in message
    assert 'port security is OFF on port p1' in message
    assert 'openstack port security disable p1 --renew' in message
    port = cloud.ports['p1']
    assert port['port_security_enabled'] is False
    [record] = _records(cloud)
    assert record.pending and record.reason == 'appliance'
    [row] = ps.exception_rows(_inv([port]), TODAY)
    assert row.status == 'unconfirmed'
    del cloud.put                              # Neutron allows it again
    _disable(cloud, renew=True)                # finishes it
    [record] = _records(cloud)
    assert not record.pending and record.security_groups == (SG1, SG2)


def test_a_refusal_before_any_change_leaves_nothing():
    cloud = _cloud()
    _refuse(cloud, 'PUT', '/ports/p1', status=403)
    with pytest.raises(harden.Refused) as err:
        _disable(cloud)
    assert 'OFF' not in str(err.value)
    assert cloud.ports['p1']['tags'] == ['keep-me']
    assert cloud.ports['p1']['port_security_enabled'] is True


def test_the_error_budget_stops_after_exactly_three_errors():
    cloud = _cloud()
    calls = []
    real_get = cloud.get

    def get(path, *a, **kw):
        calls.append(path)
        if len(calls) > 1:
            raise ConnectionResetError('Connection reset by peer')
        return real_get(path, *a, **kw)
    cloud.get = get
    with pytest.raises(harden.Refused, match='reset'):
        _disable(cloud)
    # one validation read, three failed reads, one failed clean-up read
    assert len(calls) == 1 + ps.MAX_ERRORS + 1


def test_enable_refused_names_neutron_and_changes_nothing():
    cloud = _cloud()
    _disable(cloud)
    before = dict(cloud.ports['p1'], tags=list(cloud.ports['p1']['tags']))
    _refuse(cloud, 'PUT', '/ports/p1')
    with pytest.raises(harden.Refused, match='refused by policy'):
        ps.enable(cloud, 'p1')
    assert cloud.ports['p1'] == before


# --- what the port's project wrote is not evidence (issue 18) -------------

FOREIGN = '44444444-4444-4444-4444-444444444444'


def _forged_pending(cloud, groups):
    """A pending record the port's own project could have written."""
    now = datetime.datetime.now(datetime.timezone.utc)
    cloud.ports['p1'].update(port_security_enabled=False,
                             security_groups=[])
    cloud.ports['p1']['tags'].append(rec.make_tag(
        REVIEW, now - datetime.timedelta(hours=1), 'admin', groups,
        'approved', pending=True))


def test_enable_refuses_a_recorded_group_of_another_project():
    cloud = _cloud()
    cloud.security_groups.append({'id': FOREIGN, 'name': 'admin-mgmt',
                                  'project_id': 'admin-project'})
    _forged_pending(cloud, [FOREIGN])
    before = dict(cloud.ports['p1'], tags=list(cloud.ports['p1']['tags']))
    for dry_run in (True, False):
        with pytest.raises(harden.Refused) as refused:
            ps.enable(cloud, 'p1', dry_run=dry_run)
        assert str(refused.value) == (
            'the exception record of port p1 names security group %s of '
            "project admin-project, not of the port's project proj nor "
            'shared with it: give --security-group (a group of project '
            'proj); nothing was changed' % FOREIGN)
        assert cloud.ports['p1'] == before
    # given explicitly, the port's own group is used
    ps.enable(cloud, 'p1', [SG1])
    assert cloud.ports['p1']['security_groups'] == [SG1]


def test_enable_restores_a_group_shared_with_the_ports_project():
    cloud = _cloud()
    cloud.security_groups.append({'id': FOREIGN, 'name': 'shared',
                                  'project_id': 'admin-project'})
    cloud.rbac_policies.append({
        'id': 'rb', 'object_type': 'security_group', 'object_id': FOREIGN,
        'action': 'access_as_shared', 'target_tenant': 'proj'})
    _forged_pending(cloud, [FOREIGN, SG1])
    ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['security_groups'] == [FOREIGN, SG1]


def test_enable_refuses_a_recorded_group_that_is_gone():
    cloud = _cloud()
    _forged_pending(cloud, [FOREIGN])
    with pytest.raises(harden.Refused, match='no longer exists'):
        ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['port_security_enabled'] is False
