"""What `enable`, `disable` and the exception list report, field by field.

The commands print these outcomes (notes, removed records, conflicts, the
port as it ends), so each path is checked in full: a wrong note or a
missing removed record is a wrong report to the admin.
"""

import datetime

import pytest

from tests.unit import run_contexts
from tests.unit.faults import FaultyClient
from tests.unit.harden import port_security_cases as base
from xloudclient.cloud import neutron
from xloudclient.harden import port_security as ps
from xloudclient import records as rec
from xloudclient import harden

SG1, SG2, DEFAULT_SG = base.SG1, base.SG2, base.DEFAULT_SG
NOTHING = 'port security is already enabled; nothing to do'
STALE = ('port security was already enabled; removing the stale exception '
         'record')
NO_RECORD = ("no exception record on the port; using the project's default "
             'security group')
NO_GROUPS = ('the exception record lists no security groups; using the '
             "project's default group")


def _inv(ports, endorsed=True):
    """The inventory of the ports, every record on them endorsed (as the
    tool's own disable, run by an admin, leaves them) unless not."""
    from tests.unit import endorse
    from xloudclient.audit import inventory

    return inventory.Inventory(
        ports=ports, endorsements=endorse.of_records({'ports': ports})
        if endorsed else {})


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _tag(reason, groups=(SG1,), pending=False, age_hours=0):
    granted = _now() - datetime.timedelta(hours=age_hours)
    return rec.make_tag(base.REVIEW, granted, 'x', groups, reason,
                        pending=pending)


def _fields(out):
    return {'changed': out.changed, 'notes': out.notes,
            'conflicts': out.conflicts,
            'removed': [r.reason for r in out.removed_records],
            'before': out.security_groups_before}


# --- enable -----------------------------------------------------------------

def test_enable_after_disable_reports_the_record_it_removed():
    cloud = base._cloud()
    base._disable(cloud)
    out = ps.enable(cloud, 'p1')
    assert _fields(out) == {'changed': True, 'notes': [], 'conflicts': 0,
                            'removed': ['appliance'], 'before': []}
    assert out.port == cloud.ports['p1']
    assert out.port['port_security_enabled'] is True


def test_enable_on_an_enabled_port_says_there_is_nothing_to_do():
    cloud = base._cloud()
    out = ps.enable(cloud, 'p1')
    assert _fields(out) == {'changed': False, 'notes': [NOTHING],
                            'conflicts': 0, 'removed': [],
                            'before': [SG1, SG2]}
    assert out.port == cloud.ports['p1']


def test_enable_on_an_enabled_port_with_a_run_in_progress_says_both():
    young = _tag('running', pending=True)
    cloud = base._cloud(tags=['keep-me', young])
    out = ps.enable(cloud, 'p1')
    assert out.notes == [NOTHING, 'a port security disable is in progress '
                         'on this port (pending record by x)']
    assert not out.changed and cloud.ports['p1']['tags'] == ['keep-me', young]


def test_enable_on_an_enabled_port_removes_a_stale_record_and_says_so():
    cloud = base._cloud(tags=['keep-me', _tag('forgotten', age_hours=2)])
    out = ps.enable(cloud, 'p1')
    assert _fields(out) == {'changed': True, 'notes': [STALE],
                            'conflicts': 0, 'removed': ['forgotten'],
                            'before': [SG1, SG2]}
    assert cloud.ports['p1']['tags'] == ['keep-me']


def test_enable_without_a_record_notes_the_default_group_once():
    cloud = base._cloud(port_security_enabled=False, security_groups=[])

    def hook(cloud, method, path):
        if method == 'PUT' and not hook.done:       # one conflict
            hook.done = True
            cloud.set_port('p1', name='renamed')
    hook.done = False
    cloud.hook = hook
    out = ps.enable(cloud, 'p1')
    assert _fields(out) == {'changed': True, 'notes': [NO_RECORD],
                            'conflicts': 1, 'removed': [], 'before': []}
    assert cloud.ports['p1']['security_groups'] == [DEFAULT_SG]


def test_enable_record_without_groups_uses_the_default_group_and_says_so():
    cloud = base._cloud(port_security_enabled=False, security_groups=[],
                        tags=[_tag('by hand', groups=())])
    out = ps.enable(cloud, 'p1')
    assert out.notes == [NO_GROUPS]
    assert cloud.ports['p1']['security_groups'] == [DEFAULT_SG]


def test_enable_uses_an_unconfirmed_record_when_no_record_documents():
    cloud = base._cloud(port_security_enabled=False, security_groups=[],
                        tags=['keep-me', _tag('killed', groups=(SG2,),
                                              pending=True, age_hours=2)])
    out = ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['security_groups'] == [SG2]
    assert out.notes == []
    assert [r.reason for r in out.removed_records] == ['killed']
    assert cloud.ports['p1']['tags'] == ['keep-me']


def test_enable_after_a_concurrent_enable_finishes_its_cleanup_quietly():
    cloud = base._cloud()
    base._disable(cloud)

    def hook(cloud, method, path):
        # Another admin enables (keeping the record) just before our PUT.
        if method == 'PUT' and path == '/ports/p1' and not hook.done:
            hook.done = True
            cloud.set_port('p1', port_security_enabled=True,
                           security_groups=[SG1])
    hook.done = False
    cloud.hook = hook
    out = ps.enable(cloud, 'p1')
    assert _fields(out) == {'changed': True, 'notes': [], 'conflicts': 1,
                            'removed': ['appliance'], 'before': []}
    assert cloud.ports['p1']['tags'] == ['keep-me']
    assert cloud.ports['p1']['security_groups'] == [SG1]


def test_enable_gives_up_naming_the_attempts_and_the_port():
    cloud = base._cloud(port_security_enabled=False, security_groups=[])

    def hook(cloud, method, path):
        if method == 'PUT':
            cloud.set_port('p1', name='busy')
    cloud.hook = hook
    with pytest.raises(harden.Refused) as err:
        ps.enable(cloud, 'p1', max_attempts=3)
    assert str(err.value) == ('gave up after 3 attempts: port p1 kept '
                              'changing; run the command again')


class _FailingPuts(FaultyClient):
    """Every PUT answers 500; reads work."""

    def put(self, *a, **kw):
        return FaultyClient(self.cloud, '500', 1).put(*a, **kw)


def test_enable_stops_after_its_error_budget_saying_what_is_left():
    cloud = base._cloud(port_security_enabled=False, security_groups=[])
    with pytest.raises(harden.Refused) as err:
        ps.enable(_FailingPuts(cloud), 'p1')
    assert str(err.value).startswith('port p1: ')
    assert 'injected 500' in str(err.value)
    assert str(err.value).endswith(
        'nothing was changed: port security is still off')
    assert cloud.ports['p1']['port_security_enabled'] is False


# --- enable --dry-run -------------------------------------------------------

def test_enable_preview_of_an_enabled_port():
    cloud = base._cloud()
    out = ps.enable(cloud, 'p1', dry_run=True)
    assert out.notes == [NOTHING] and out.removed_records == []
    assert out.port == cloud.ports['p1']


def test_enable_preview_of_a_stale_record():
    cloud = base._cloud(tags=['keep-me', _tag('forgotten', age_hours=2)])
    out = ps.enable(cloud, 'p1', dry_run=True)
    assert out.notes == ['port security is already enabled; the stale '
                         'exception record would be removed']
    assert [r.reason for r in out.removed_records] == ['forgotten']
    assert len(rec.records_in(cloud.ports['p1']['tags'])[0]) == 1


def test_enable_preview_without_a_record_shows_the_default_group():
    cloud = base._cloud(port_security_enabled=False, security_groups=[])
    out = ps.enable(cloud, 'p1', dry_run=True)
    assert out.notes == [NO_RECORD]
    assert out.port == dict(cloud.ports['p1'], port_security_enabled=True,
                            security_groups=[DEFAULT_SG])
    assert cloud.ports['p1']['port_security_enabled'] is False


def test_enable_preview_with_given_groups():
    cloud = base._cloud()
    base._disable(cloud)
    out = ps.enable(cloud, 'p1', [DEFAULT_SG], dry_run=True)
    assert out.port['security_groups'] == [DEFAULT_SG]
    assert out.notes == []
    assert [r.reason for r in out.removed_records] == ['appliance']


# --- disable ----------------------------------------------------------------

def test_disable_reports_only_confirmed_records_it_replaces():
    old = _tag('old', age_hours=2)
    pending = _tag('killed', pending=True, age_hours=2)
    cloud = base._cloud(port_security_enabled=False, security_groups=[],
                        tags=[old, pending])
    out = base._disable(cloud, reason='renewed', renew=True, dry_run=True)
    assert [r.reason for r in out.removed_records] == ['old']
    assert out.notes == []      # the old record knows the groups
    out = base._disable(cloud, reason='renewed', renew=True)
    assert [r.reason for r in out.removed_records] == ['old']
    assert [r.reason for r in base._records(cloud)] == ['renewed']


def test_disable_after_a_newer_clock_record_is_granted_after_it():
    ahead = _now() + datetime.timedelta(hours=1)
    cloud = base._cloud(port_security_enabled=False, security_groups=[],
                        tags=[rec.make_tag(base.REVIEW, ahead, 'x', (SG1,),
                                           'skewed clock')])
    out = base._disable(cloud, reason='renewed', renew=True)
    assert out.record.granted == ahead.replace(microsecond=0) + \
        datetime.timedelta(seconds=1)
    assert [r.reason for r in base._records(cloud)] == ['renewed']


def test_disable_by_hand_without_groups_notes_it_but_with_groups_not():
    cloud = base._cloud(port_security_enabled=False, security_groups=[],
                        tags=[_tag('old', age_hours=2)])
    out = base._disable(cloud, reason='renewed', renew=True)
    assert out.notes == []
    assert out.record.security_groups == (SG1,)


# --- exception list ---------------------------------------------------------

def test_exception_rows_carry_their_record_and_sort_by_project_then_name():
    stale = _tag('stale')
    pending = _tag('killed', pending=True)
    ports = [
        dict(base._port('p-z', True, [stale]), project_id='b', name='a'),
        dict(base._port('p-y', False, [pending]), project_id='a',
             name='b'),
        dict(base._port('p-x', True, ['xloud-psx:v1 junk']),
             project_id='a', name='z'),
        dict(base._port('p-w', True), project_id='a', name='c'),
        dict(base._port('p-v', None), project_id='a', name='d'),
        dict(base._port('p-u', False), project_id=None, name=None),
    ]
    rows = ps.exception_rows(_inv(ports), base.TODAY)
    assert [(r.port['id'], r.status) for r in rows] == [
        ('p-u', 'undocumented'), ('p-y', 'unconfirmed'), ('p-x', 'stale'),
        ('p-z', 'stale')]
    by_id = {r.port['id']: r.record for r in rows}
    assert by_id['p-x'] is None
    assert by_id['p-y'].reason == 'killed'
    assert by_id['p-z'].reason == 'stale'


# --- how a disable finishes when others act meanwhile -----------------------

def _after_confirming(cloud, act):
    """act(cloud) once, right after our confirmed record is written."""
    def hook(cloud, method, path):
        if hook.armed and method == 'GET':
            hook.armed = False
            act(cloud)
        if method == 'PUT' and '/tags/xloud-psx%3Av1' in path:
            hook.armed = True
    hook.armed = False
    cloud.hook = hook


def test_an_enable_after_our_turn_off_leaves_no_record_and_says_so():
    cloud = base._cloud()
    _after_confirming(cloud, lambda c: c.set_port(
        'p1', port_security_enabled=True, security_groups=[SG1]))
    with pytest.raises(harden.Refused) as err:
        base._disable(cloud)
    assert str(err.value) == (
        'port p1 had its port security enabled again by a concurrent '
        'change; no exception is recorded')
    assert cloud.ports['p1']['tags'] == ['keep-me']


def test_a_newer_record_written_meanwhile_is_kept_and_noted():
    cloud = base._cloud()
    newer = rec.make_tag(base.REVIEW, _now() + datetime.timedelta(hours=1),
                         'other', (SG1,), 'newer grant')
    _after_confirming(cloud, lambda c: c.ports['p1']['tags'].append(newer))
    out = base._disable(cloud)
    assert out.notes == ['a concurrent change recorded a newer exception']
    assert out.record.reason == 'newer grant'
    assert [r.reason for r in base._records(cloud)] == [
        'newer grant', 'appliance']          # newest first


def test_a_malformed_record_there_before_is_removed_one_added_later_kept():
    cloud = base._cloud(tags=['keep-me', 'xloud-psx:v1 junk-before'])
    _after_confirming(cloud, lambda c: c.ports['p1']['tags'].append(
        'xloud-psx:v1 junk-after'))
    base._disable(cloud)
    tags = cloud.ports['p1']['tags']
    assert 'xloud-psx:v1 junk-before' not in tags
    assert 'xloud-psx:v1 junk-after' in tags


# --- what a run asks Neutron ------------------------------------------------

def _two_projects():
    cloud = base._cloud(port_security_enabled=False, security_groups=[])
    cloud.security_groups += [
        {'id': 'other-default', 'name': 'default', 'project_id': 'other'},
        {'id': 'other-web', 'name': 'web', 'project_id': 'other'},
        {'id': 'own-web', 'name': 'web', 'project_id': 'proj'}]
    return cloud


def test_groups_by_name_are_looked_up_in_the_ports_project():
    cloud = _two_projects()
    port = cloud.ports['p1']
    assert ps.resolve_groups(cloud, port, ['web', 'default']) == [
        'own-web', DEFAULT_SG]
    with pytest.raises(neutron.NotFound) as err:
        ps.resolve_groups(cloud, port, ['nope'])
    assert "no security group named or with ID 'nope' in project proj" in \
        str(err.value)


def test_the_default_group_is_the_ports_projects():
    cloud = _two_projects()
    ps.enable(cloud, 'p1')
    assert cloud.ports['p1']['security_groups'] == [DEFAULT_SG]


def test_conflicts_are_counted_one_by_one():
    for run in (base._disable, lambda c: ps.enable(c, 'p1')):
        cloud = base._cloud()
        if run is not base._disable:
            base._disable(cloud)

        def hook(cloud, method, path):
            if method == 'PUT' and path == '/ports/p1' and hook.left:
                hook.left -= 1
                cloud.set_port('p1', name='edited')
        hook.left = 2
        cloud.hook = hook
        assert run(cloud).conflicts == 2


def test_a_renewal_keeps_the_groups_of_the_confirmed_record():
    confirmed = _tag('old', groups=(SG1,), age_hours=2)
    pending = _tag('killed', groups=(SG2,), pending=True, age_hours=1)
    cloud = base._cloud(port_security_enabled=False, security_groups=[],
                        tags=[pending, confirmed])
    out = base._disable(cloud, reason='renewed', renew=True)
    assert out.record.security_groups == (SG1,)


def test_address_pairs_are_named_in_the_refusal():
    cloud = base._cloud(allowed_address_pairs=[
        {'ip_address': '10.0.0.5', 'mac_address': 'fa:16:3e:00:00:01'},
        {'ip_address': '10.0.0.6'}])
    with pytest.raises(harden.Refused) as err:
        base._disable(cloud)
    assert str(err.value) == (
        'port p1 has allowed address pairs (10.0.0.5 (fa:16:3e:00:00:01), '
        '10.0.0.6); Neutron refuses to disable port security while it has '
        'them: remove them first')


def test_neutrons_own_ports_are_listed_only_with_a_record():
    fip = dict(base._port('fip-port', False), device_owner='network:'
               'floatingip')
    router = dict(base._port('rtr', False, [_tag('odd')]),
                  device_owner='network:router_interface')
    vm = dict(base._port('vm', False), device_owner='compute:nova')
    rows = ps.exception_rows(_inv([fip, router, vm]), base.TODAY)
    assert [(r.port['id'], r.status) for r in rows] == [
        ('rtr', 'documented'), ('vm', 'undocumented')]


def test_disable_does_not_renew_unless_asked():
    cloud = base._cloud()
    run_contexts.disable(cloud, 'p1', 'first', base.REVIEW, 'admin')
    with pytest.raises(harden.Refused, match='--renew'):
        run_contexts.disable(cloud, 'p1', 'second', base.REVIEW, 'admin')
