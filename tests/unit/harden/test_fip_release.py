"""Releasing unassociated floating IPs: selection, guarded deletes, the
backup and the restore, on an in-memory Neutron."""

import datetime
import json

import pytest

from xloudclient.harden import fip_release as fr
from xloudclient.harden import fip_release_restore as restoring
from xloudclient import harden
from xloudclient.harden import backups
from tests.unit.harden.fip_release_cases import NET
from tests.unit.harden.fip_release_cases import NOW
from tests.unit.harden.fip_release_cases import _addresses
from tests.unit.harden.fip_release_cases import _cloud
from tests.unit.harden.fip_release_cases import _fip
from tests.unit.harden.fip_release_cases import _write_backup


def test_select_takes_the_unassociated_and_leaves_the_accepted():
    fips = _cloud().data['floatingips']
    plan = fr.select(fips, now=NOW, accepted={'f3': 'accepted until x'})
    assert [f['id'] for f in plan.release] == ['f1']
    assert [(f['id'], why) for f, why in plan.kept] == [
        ('f3', 'accepted until x')]


def test_unused_for_keeps_what_changed_recently_or_at_no_known_time():
    fips = _cloud().data['floatingips'] + [
        _fip('f4', '203.0.113.4', updated=None)]
    plan = fr.select(fips, unused_for=7, now=NOW)
    assert [f['id'] for f in plan.release] == ['f1']
    assert sorted(f['id'] for f, _ in plan.kept) == ['f3', 'f4']
    assert 'less than 7 days ago' in dict(
        (f['id'], w) for f, w in plan.kept)['f3']
    zero = fr.select(fips, unused_for=0, now=NOW)
    assert [f['id'] for f in zero.release] == ['f1', 'f3']


def test_refs_by_id_or_address_and_bad_refs_refused():
    fips = _cloud().data['floatingips']
    plan = fr.select(fips, refs=['203.0.113.3', 'f1', 'f1'], now=NOW)
    assert [f['id'] for f in plan.release] == ['f3', 'f1']
    with pytest.raises(harden.Refused, match='associated with port '
                       'port-9: not releasing it'):
        fr.select(fips, refs=['203.0.113.2'])
    with pytest.raises(harden.Refused, match='no floating IP nosuch'):
        fr.select(fips, refs=['nosuch'])


def test_release_deletes_at_the_revision_it_read():
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], now=NOW)
    rows = fr.apply_release(cloud, plan)
    assert [(r.item, r.action, r.failed) for r in rows] == [
        ('f1', 'released', False), ('f3', 'released', False)]
    assert [f['id'] for f in cloud.data['floatingips']] == ['f2']


def test_an_address_associated_since_the_plan_is_kept():
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], now=NOW)
    cloud.data['floatingips'][0]['port_id'] = 'port-1'   # meanwhile
    rows = fr.apply_release(cloud, plan)
    assert rows[0].action == 'kept: associated with port port-1 since ' \
        'the plan' and not rows[0].failed
    assert 'f1' in [f['id'] for f in cloud.data['floatingips']]


def test_an_association_between_read_and_claim_is_refused_by_neutron():
    """The claim carries the revision read: an association in between
    bumps it, Neutron answers 412, the re-read sees the port; nothing is
    deleted."""
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], refs=['f1'], now=NOW)
    real = cloud.get

    def get(path, params=None, **kw):
        resp = real(path, params=params, **kw)
        if path == '/floatingips/f1' and not cloud.hooked:
            cloud.hooked = True
            fip = cloud.data['floatingips'][0]
            fip['port_id'], fip['revision_number'] = 'port-7', 4
        return resp
    cloud.hooked, cloud.get = False, get
    [row] = fr.apply_release(cloud, plan)
    assert row.action == 'kept: associated with port port-7 since the plan'
    assert ('PUT', '/floatingips/f1') in cloud.log
    assert ('DELETE', '/floatingips/f1') not in cloud.log
    assert 'f1' in [f['id'] for f in cloud.data['floatingips']]


def test_an_association_between_claim_and_delete_is_refused_by_neutron():
    """The delete carries the claim's revision: an association after the
    claim bumps it, Neutron answers 412, the re-read sees the port."""
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], refs=['f1'], now=NOW)
    real = cloud.put

    def put(path, json=None, headers=None, **kw):
        resp = real(path, json=json, headers=headers, **kw)
        fip = cloud.data['floatingips'][0]
        fip['port_id'] = 'port-8'
        fip['revision_number'] += 1
        return resp
    cloud.put = put
    [row] = fr.apply_release(cloud, plan)
    assert row.action == 'kept: associated with port port-8 since the plan'
    assert ('DELETE', '/floatingips/f1') in cloud.log
    assert 'f1' in [f['id'] for f in cloud.data['floatingips']]


@pytest.mark.parametrize('before, claim', [
    ('web f1', 'web f1 [xloud: releasing]'),
    ('', ' [xloud: releasing]'),
    (None, ' [xloud: releasing]'),
    ('x' * 255, 'x' * 236 + ' [xloud: releasing]'),
    # left by an interrupted run: taken away, still a change
    ('web f1 [xloud: releasing]', 'web f1'),
])
def test_the_claim_always_changes_the_description_within_its_limit(
        before, claim):
    assert fr.claimed(before) == claim
    assert len(claim) <= backups.MAX_DESCRIPTION and claim != (before or '')
    assert fr.unclaimed(claim) == (before or '')[:236] or \
        before.endswith(fr.CLAIM)


def test_a_claim_left_behind_is_not_written_into_the_backup(tmp_path):
    fips = [_fip('f1', '203.0.113.1', description='web [xloud: releasing]')]
    plan = fr.select(fips, now=NOW)
    path = _write_backup(str(tmp_path / 'b.json'), plan)
    with open(path) as f:
        [entry] = json.load(f)['floating_ips']
    assert entry['description'] == 'web'


def test_gone_before_the_release_is_said_so():
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], refs=['f1'], now=NOW)
    cloud.data['floatingips'].pop(0)
    assert [r.action for r in fr.apply_release(cloud, plan)] == [
        'already gone']


def test_backup_round_trip_and_refusals(tmp_path):
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], now=NOW)
    path = _write_backup(str(tmp_path / 'b.json'), plan)
    assert oct((tmp_path / 'b.json').stat().st_mode & 0o777) == '0o600'
    entries = restoring.load_backup(path)
    assert [e['floating_ip_address'] for e in entries] == [
        '203.0.113.1', '203.0.113.3']
    assert 'revision_number' not in entries[0]
    with pytest.raises(harden.Refused, match='already exists'):
        _write_backup(path, plan)
    data = json.loads((tmp_path / 'b.json').read_text())
    data['floating_ips'][0]['floating_ip_address'] = '198.51.100.7'
    edited = tmp_path / 'edited.json'
    edited.write_text(json.dumps(data))
    with pytest.raises(harden.Refused, match='digest does not match'):
        restoring.load_backup(str(edited))
    other = tmp_path / 'other.json'
    other.write_text(json.dumps({'format': 'something else'}))
    with pytest.raises(harden.Refused, match='not an xloudclient '
                       'floating IP backup'):
        restoring.load_backup(str(other))


@pytest.mark.parametrize('change, problem', [
    ({'floating_ip_address': 'not-an-ip'}, 'no valid floating_ip_address'),
    ({'project_id': ''}, 'has no project_id'),
    ({'tags': 'x'}, 'tags that are not a list'),
    ({'description': 'x' * 256}, 'description that is not text'),
])
def test_a_forged_entry_is_refused(tmp_path, change, problem):
    entry = dict(_fip('f1', '203.0.113.1'), **change)
    data = {'format': fr.BACKUP.format, 'version': fr.BACKUP.version,
            'floating_ips': [{k: entry.get(k) for k in fr.KEPT}]}
    data['digest'] = backups.digest(data, fr.BACKUP.digested)
    path = tmp_path / 'forged.json'
    path.write_text(json.dumps(data))
    with pytest.raises(harden.Refused, match=problem):
        restoring.load_backup(str(path))


def test_restore_allocates_the_same_addresses_again(tmp_path):
    cloud = _cloud()
    before = _addresses(cloud)
    plan = fr.select(cloud.data['floatingips'], now=NOW)
    path = _write_backup(str(tmp_path / 'b.json'), plan)
    fr.apply_release(cloud, plan)
    assert [r.action for r in restoring.restore(
        cloud, restoring.load_backup(path), dry_run=True)] == [
        'would allocate', 'would allocate']
    rows = restoring.restore(cloud, restoring.load_backup(path))
    assert [r.action for r in rows] == ['restored', 'restored']
    assert all((r.made[0] if r.made else '').startswith('new-') for r in rows)
    assert _addresses(cloud) == before
    again = restoring.restore(cloud, restoring.load_backup(path))
    assert [(r.action, (r.made[0] if r.made else '')) for r in again] == [
        ('already present', (r.made[0] if r.made else '')) for r in rows]
    assert _addresses(cloud) == before


def test_restore_names_the_project_holding_an_address(tmp_path):
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], refs=['f1'], now=NOW)
    path = _write_backup(str(tmp_path / 'b.json'), plan)
    fr.apply_release(cloud, plan)
    cloud.data['floatingips'].append(_fip('f9', '203.0.113.1',
                                          project='p7', port='port-3'))
    [row] = restoring.restore(cloud, restoring.load_backup(path))
    assert row.failed and row.action.startswith(
        'not restored: 203.0.113.1 is held by project p7 (floating IP f9, '
        'port port-3): a released address is free to take by name for an '
        'admin and, from Neutron 2026.2, for the manager of any project; '
        'only project p7 can give it back (`openstack floating ip delete '
        'f9`)')


def test_a_members_restore_says_an_admin_or_manager_must_run_it(tmp_path):
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], refs=['f1'], now=NOW)
    path = _write_backup(str(tmp_path / 'b.json'), plan)
    fr.apply_release(cloud, plan)
    cloud.deny.add(('POST', '/floatingips'))
    [row] = restoring.restore(cloud, restoring.load_backup(path))
    assert row.failed and 'an admin or a manager of the project must run' \
        in row.action


def test_select_on_the_clock_and_the_boundary_of_unused_for():
    old = _fip('old', '203.0.113.9', updated='2020-01-01T00:00:00Z')
    assert [f['id'] for f in fr.select([old], unused_for=7).release] == [
        'old']                                  # no `now`: the clock's
    exactly = NOW - datetime.timedelta(days=7)
    edge = _fip('edge', '203.0.113.8',
                updated=exactly.strftime('%Y-%m-%dT%H:%M:%SZ'))
    assert [f['id'] for f in fr.select([edge], unused_for=7,
                                       now=NOW).release] == ['edge']


def test_what_stays_is_said_and_does_not_stop_the_others():
    fips = [_fip('acc', '203.0.113.7'), _fip('new', '203.0.113.6',
                                             updated='2026-11-30T00:00:00Z'),
            _fip('unknown', '203.0.113.5', updated=None),
            _fip('free', '203.0.113.4', updated='2020-01-01T00:00:00Z')]
    plan = fr.select(fips, unused_for=7, now=NOW,
                     accepted={'acc': 'accepted until 2027-01-01 by boss'})
    assert [f['id'] for f in plan.release] == ['free']
    assert [(f['id'], why) for f, why in plan.kept] == [
        ('acc', 'accepted until 2027-01-01 by boss'),
        ('new', 'changed 2026-11-30T00:00:00Z, less than 7 days ago'),
        ('unknown', 'changed at an unknown time, less than 7 days ago')]


def test_read_candidates_of_projects_asks_neutron_for_every_field():
    cloud = _cloud()
    assert [f['id'] for f in fr.read_candidates(cloud, ['p2'])] == ['f3']
    assert sorted(f['id'] for f in fr.read_candidates(cloud)) == [
        'f1', 'f2', 'f3']
    listed = [q for q in cloud.queries if q[0] == '/floatingips']
    assert listed and all('fields' not in (q[1] or {}) for q in listed)
    assert (listed[0][1] or {}).get('project_id') == ['p2']


def test_a_backup_that_is_not_json_is_named_as_a_backup(tmp_path):
    path = tmp_path / 'b.json'
    path.write_text('{not json')
    with pytest.raises(harden.Refused, match=r'^backup .*b\.json is not '
                       'JSON'):
        restoring.load_backup(str(path))


def _entry(**change):
    return dict({'id': 'f1', 'floating_ip_address': '203.0.113.1',
                 'floating_network_id': NET, 'project_id': 'p1'}, **change)


def test_entry_limits_are_inclusive_and_every_field_is_checked():
    assert restoring._entry_problem(_entry(
        description='d' * backups.MAX_DESCRIPTION,
        tags=['t%d' % i for i in range(fr.MAX_TAGS)])) is None
    assert 'description' in restoring._entry_problem(
        _entry(description='d' * (backups.MAX_DESCRIPTION + 1)))
    assert 'tags' in restoring._entry_problem(_entry(tags=['a', 7]))
    assert 'tags' in restoring._entry_problem(
        _entry(tags=['t%d' % i for i in range(fr.MAX_TAGS + 1)]))
    assert restoring._entry_problem(_entry(dns_name=5)) == \
        'has a dns_name that is not text'
    assert restoring._entry_problem(_entry(dns_name='www')) is None


def test_accepted_ids_are_the_endorsed_unexpired_decisions():
    from tests.unit import endorse
    from xloudclient import records as rec

    def decided(fid, review):
        tag = rec.make_decision_tag('fip-unassociated', '', review,
                                    NOW - datetime.timedelta(days=1),
                                    'admin', 'kept for DR')
        return _fip(fid, '203.0.113.%d' % len(fid), tags=['keep-me', tag])
    fips = [decided('a', datetime.date(2027, 1, 1)),
            decided('bb', datetime.date(2026, 11, 1)),      # overdue
            _fip('ccc', '203.0.113.3')]
    fips.append(dict(decided('dddd', datetime.date(2027, 1, 1))))
    endorsed = endorse.of_records({'floatingips': fips[:2]},
                                  approver='boss')
    assert fr.accepted_ids(fips, endorsed, NOW.date()) == {
        'a': 'accepted until 2027-01-01 by admin'}


PF = {'id': 'pf1', 'protocol': 'tcp', 'external_port': 2222,
      'internal_port': 22, 'internal_port_id': 'vm-1'}


def test_a_forwarded_floating_ip_is_kept_saying_why_and_refused_by_name():
    fips = _cloud().data['floatingips'] + [
        _fip('f5', '203.0.113.5', port_forwardings=[PF, dict(PF, id='pf2')]),
        _fip('f6', '203.0.113.6', port_forwardings=[])]
    plan = fr.select(fips, now=NOW)
    assert [f['id'] for f in plan.release] == ['f1', 'f3', 'f6']
    assert [(f['id'], why) for f, why in plan.kept] == [
        ('f5', 'in use by 2 port forwardings')]
    with pytest.raises(harden.Refused, match='^floating IP 203.0.113.5 is '
                       'in use by 2 port forwardings: not releasing it, '
                       'nothing was released$'):
        fr.select(fips, refs=['f1', '203.0.113.5'], now=NOW)


def test_a_port_forwarding_added_since_the_plan_keeps_the_address():
    cloud = _cloud()
    plan = fr.select(cloud.data['floatingips'], refs=['f1'], now=NOW)
    cloud.data['floatingips'][0]['port_forwardings'] = [PF]   # meanwhile
    [row] = fr.apply_release(cloud, plan)
    assert (row.action, row.failed) == (
        'kept: in use by 1 port forwarding since the plan', False)
    assert 'f1' in [f['id'] for f in cloud.data['floatingips']]
