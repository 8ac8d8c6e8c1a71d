import datetime
import json
import os

import pytest

from tests.unit import endorse
from xloudclient.audit import inventory as inventory_mod
from xloudclient.harden import restrict
from xloudclient.harden import restrict_restore
from xloudclient import records as rec
from xloudclient import harden
from tests.unit.harden.restrict_cases import BOTH
from tests.unit.harden.restrict_cases import NOW
from tests.unit.harden.restrict_cases import SENSITIVE
from tests.unit.harden.restrict_cases import SETTINGS
from tests.unit.harden.restrict_cases import SSH
from tests.unit.harden.restrict_cases import TODAY
from tests.unit.harden.restrict_cases import V4
from tests.unit.harden.restrict_cases import _accepted_inventory
from tests.unit.harden.restrict_cases import _cloud
from tests.unit.harden.restrict_cases import _edited
from tests.unit.harden.restrict_cases import _groups
from tests.unit.harden.restrict_cases import _inv
from tests.unit.harden.restrict_cases import _load
from tests.unit.harden.restrict_cases import _plan_of
from tests.unit.harden.restrict_cases import _restricted
from tests.unit.harden.restrict_cases import _rule
from tests.unit.harden.restrict_cases import _rules
from tests.unit.harden.restrict_cases import _shapes


# --- sources -------------------------------------------------------

def test_prefixes_are_normalised_and_split_by_version():
    s = restrict.prefix_sources(['10.1.2.3/16', 'fd00::1/64', '10.1.0.0/16'])
    assert s.prefixes == {4: ['10.1.0.0/16'], 6: ['fd00::/64']}
    assert s.remotes(4) == [{'remote_ip_prefix': '10.1.0.0/16'}]
    assert s.text() == '10.1.0.0/16, fd00::/64'


@pytest.mark.parametrize('cidrs', [
    ['0.0.0.0/0'], ['::/0'], ['0.0.0.0/1', '128.0.0.0/1'], ['2000::/3'],
    ['10.0.0.0/8', '0.0.0.0/0']])
def test_world_wide_sources_are_refused(cidrs):
    with pytest.raises(harden.Refused, match='restricts nothing'):
        restrict.prefix_sources(cidrs)


def test_a_public_bastion_is_a_source():
    assert restrict.prefix_sources(['8.8.8.8/32']).prefixes == {
        4: ['8.8.8.8/32']}


@pytest.mark.parametrize('value', ['nonsense', '10.0.0.0/33', ''])
def test_a_value_that_is_no_prefix_is_refused(value):
    with pytest.raises(harden.Refused, match='is not an IPv4 or '):
        restrict.prefix_sources([value])


def test_address_group_sources():
    ag = {'id': 'ag1', 'name': 'bastions',
          'addresses': ['10.1.0.0/16', 'fd00:1::/48']}
    s = restrict.address_group_sources(ag)
    assert s.remotes(4) == s.remotes(6) == [
        {'remote_address_group_id': 'ag1'}]
    assert s.text() == 'address group bastions'
    only4 = restrict.address_group_sources(dict(ag, addresses=['10.1.0.0/16']))
    assert only4.remotes(6) == []
    with pytest.raises(harden.Refused, match='holds no address'):
        restrict.address_group_sources(dict(ag, addresses=[]))
    with pytest.raises(harden.Refused, match='restricts nothing'):
        restrict.address_group_sources(dict(ag, addresses=['0.0.0.0/0']))


# --- selection and plan -------------------------------------------

def test_select_judges_from_anywhere_as_the_audit_does():
    chosen, kept = restrict.select(_inv(), SETTINGS, restrict.CHECKS)
    assert sorted(chosen) == ['pg', 'rdp-hi', 'rdp-lo', 'ssh4', 'ssh6']
    assert chosen['ssh4'] == [SSH]
    assert chosen['pg'] == [SENSITIVE]
    assert kept == []
    only_ssh, _ = restrict.select(_inv(), SETTINGS, [SSH])
    assert sorted(only_ssh) == ['ssh4', 'ssh6']


def test_select_by_rule_id():
    chosen, _ = restrict.select(_inv(), SETTINGS, restrict.CHECKS,
                                ['rdp-lo'])
    assert list(chosen) == ['rdp-lo']
    with pytest.raises(harden.Refused, match='no security group '
                       'rule nope in scope'):
        restrict.select(_inv(), SETTINGS, restrict.CHECKS, ['nope'])
    with pytest.raises(harden.Refused, match='ssh-mgmt is not open '
                       'from anywhere'):
        restrict.select(_inv(), SETTINGS, restrict.CHECKS, ['ssh-mgmt'])
    with pytest.raises(harden.Refused, match='https is not open'):
        restrict.select(_inv(), SETTINGS, restrict.CHECKS, ['https'])


def test_an_accepted_finding_is_left_alone_and_said():
    chosen, kept = restrict.select(_accepted_inventory(), SETTINGS, [SSH])
    assert list(chosen) == ['ssh6']
    [(rule, why)] = kept
    assert rule['id'] == 'ssh4'
    assert why.startswith('accepted (%s) until ' % SSH)
    assert 'by admin' in why


def test_an_unendorsed_decision_is_a_request_and_protects_nothing():
    chosen, kept = restrict.select(_accepted_inventory(False), SETTINGS,
                                   [SSH])
    assert sorted(chosen) == ['ssh4', 'ssh6'] and kept == []


def test_plan_pairs_each_rule_with_its_replacements():
    p = restrict.plan(_inv(), SETTINGS, [SSH, SENSITIVE], BOTH)
    [g1, g2] = p.groups
    assert g1.group['id'] == 'g1' and g2.group['id'] == 'g2'
    by_id = {r.rule['id']: r for r in p.replacements}
    assert by_id['ssh4'].bodies == [{
        'security_group_id': 'g1', 'direction': 'ingress',
        'ethertype': 'IPv4', 'protocol': 'tcp', 'port_range_min': 22,
        'port_range_max': 22, 'description': 'admins', 'project_id': 'pa',
        'remote_ip_prefix': '10.0.0.0/8'}]
    assert by_id['ssh6'].bodies[0]['remote_ip_prefix'] == 'fd00::/8'
    assert by_id['pg'].bodies[0]['remote_ip_prefix'] == '10.0.0.0/8'
    assert 'remote_address_group_id' not in by_id['pg'].bodies[0]
    assert (g1.ports, g1.port_projects) == (2, ['pa', 'pc'])
    assert (g2.ports, g2.port_projects) == (1, ['pc'])
    assert p.known_rules == frozenset(r['id'] for r in _rules())


def test_a_rule_of_a_version_without_a_source_is_refused():
    with pytest.raises(harden.Refused,
                       match='ssh6 is IPv6 and no IPv6 source was given'):
        restrict.plan(_inv(), SETTINGS, [SSH], V4)
    p = restrict.plan(_inv(), SETTINGS, [SSH], V4, ['ssh4'])
    assert [r.rule['id'] for r in p.replacements] == ['ssh4']


def _half_accepted():
    """Group web open to SSH through two halves, one of them (lo) an
    accepted finding."""
    groups = _groups()
    groups[0]['tags'] = [rec.make_decision_tag(
        SSH, 'lo', TODAY + datetime.timedelta(30),
        NOW - datetime.timedelta(days=1), 'admin', 'accepted half')]
    return {'groups': groups, 'rules': [_rule('lo', prefix='0.0.0.0/1'),
                                        _rule('hi', prefix='128.0.0.0/1')]}


def test_the_plan_is_proven_on_the_rules_as_they_will_be():
    """Sources that, with a rule the group keeps (accepted), still open
    the group from anywhere are refused."""
    inv = _inv(**_half_accepted())
    inv.endorsements = endorse.of_inventory(inv)
    wide = restrict.prefix_sources(['128.0.0.0/1'])
    with pytest.raises(harden.Refused,
                       match='replacement of rule hi would still be open'):
        restrict.plan(inv, SETTINGS, [SSH], wide)
    narrow = restrict.plan(inv, SETTINGS, [SSH], V4)
    assert [r.rule['id'] for r in narrow.replacements] == ['hi']


def test_an_address_group_must_be_visible_to_the_rules_project():
    ag = {'id': 'ag1', 'name': 'bastions', 'project_id': 'pa',
          'addresses': ['10.1.0.0/16']}
    sources = restrict.address_group_sources(ag)
    with pytest.raises(harden.Refused, match='not shared with '
                       'project pb'):
        restrict.plan(_inv(), SETTINGS, [SENSITIVE], sources)
    shared = _inv(rbac_policies=[{
        'object_type': 'address_group', 'object_id': 'ag1',
        'target_tenant': 'pb', 'action': 'access_as_shared'}])
    p = restrict.plan(shared, SETTINGS, [SENSITIVE], sources)
    assert {b['remote_address_group_id'] for r in p.replacements
            for b in r.bodies} == {'ag1'}


# --- apply ---------------------------------------------------------


def test_apply_creates_before_it_deletes_and_backs_up(tmp_path):
    cloud = _cloud()
    p = _plan_of(cloud)
    path = str(tmp_path / 'b.json')
    rows, written = restrict.apply(cloud, p, path, NOW)
    assert written == path
    assert [r.action for r in rows] == ['replaced'] * 5
    methods = [m for m, path_ in cloud.log if m in ('POST', 'DELETE')]
    first_delete = methods.index('DELETE')
    # five creates; two answered 409: ssh4's is ssh-mgmt, the second rdp
    # one is the first's
    assert methods[:first_delete] == ['POST'] * 5
    assert methods[first_delete:] == ['DELETE'] * 5
    shapes = _shapes(cloud)
    assert shapes.count(('g1', 'IPv4', 22, '10.0.0.0/8', None, None)) == 1
    assert ('g1', 'IPv6', 22, 'fd00::/8', None, None) in shapes
    assert not [s for s in shapes
                if s[3] in ('0.0.0.0/1', '128.0.0.0/1', '::/0')]
    assert ('g1', 'IPv4', 443, '0.0.0.0/0', None, None) in shapes  # https
    inv = inventory_mod.fetch(cloud, restrict.NEEDS)
    assert restrict.found_rules(inv, SETTINGS, [SSH, SENSITIVE])[0] == {}
    data = json.load(open(path))
    assert data['format'] == restrict.BACKUP.format
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'
    assert len(data['rules']) == 5
    [ssh4] = [e for e in data['rules'] if e['rule']['id'] == 'ssh4']
    assert ssh4['replacements'] == [{'id': 'ssh-mgmt', 'created': False,
                                     'remote_ip_prefix': '10.0.0.0/8'}]
    rdp = [e for e in data['rules'] if e['rule']['port_range_min'] == 3389]
    assert [m['created'] for e in rdp for m in e['replacements']] == [
        True, True]                       # one rule made, the other's 409
    assert len({m['id'] for e in rdp for m in e['replacements']}) == 1


def test_a_replacement_that_was_there_is_kept_not_created(tmp_path):
    rules = _rules() + [_rule('have', prefix='10.0.0.0/8', port=3389)]
    cloud = _cloud(rules)
    p = _plan_of(cloud)
    restrict.apply(cloud, p, str(tmp_path / 'b.json'), NOW)
    data = json.load(open(str(tmp_path / 'b.json')))
    rdp = [m for e in data['rules'] if e['rule']['port_range_min'] == 3389
           for m in e['replacements']]
    assert rdp == [{'id': 'have', 'created': False,
                    'remote_ip_prefix': '10.0.0.0/8'}] * 2


def test_an_existing_backup_file_stops_it_before_any_request(tmp_path):
    cloud = _cloud()
    p = _plan_of(cloud)
    path = tmp_path / 'b.json'
    path.write_text('{}')
    cloud.log.clear()
    with pytest.raises(harden.Refused, match='already exists'):
        restrict.apply(cloud, p, str(path), NOW)
    assert cloud.log == []


def test_a_backup_that_cannot_be_written_undoes_the_creates(tmp_path):
    cloud = _cloud()
    before = _shapes(cloud)
    p = _plan_of(cloud)
    blocked = tmp_path / 'file'
    blocked.write_text('')
    with pytest.raises(harden.Refused, match='nothing was deleted; '
                       'the 4 restricted rule'):
        restrict.apply(cloud, p, str(blocked / 'b.json'), NOW)
    assert _shapes(cloud) == before


def test_a_refused_create_keeps_the_world_open_rule(tmp_path):
    cloud = _cloud()
    p = _plan_of(cloud, [SSH])
    cloud.deny.add(('POST', '/security-group-rules'))
    rows, _ = restrict.apply(cloud, p, str(tmp_path / 'b.json'), NOW)
    assert all(r.failed and r.action.endswith('the rule is kept')
               for r in rows)
    assert not [m for m, _ in cloud.log if m == 'DELETE']
    line = restrict.failures(rows, ['openstack', 'x'])
    assert line.startswith('2 of 2 rules failed to restrict (ssh4: failed')
    assert line.endswith('finish with `openstack x ssh4 ssh6`')


def test_a_replacement_removed_meanwhile_is_created_again():
    cloud = _cloud()
    made = restrict.create_replacement(
        cloud, dict(_rule('x', prefix='10.9.0.0/16'), id=None), frozenset())
    assert made.created
    body = made.body
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules']
        if r['id'] != made.rule_id]
    [(fixed_body, new_id)] = restrict.ensure_present(cloud, [body])
    assert fixed_body is body and isinstance(new_id, str)
    assert restrict.ensure_present(cloud, [body]) == []


# --- backup and restore ---------------------------------------------


def test_restore_gives_back_the_before_state(tmp_path):
    cloud, before, path = _restricted(tmp_path)
    rows = restrict_restore.restore(cloud, _load(path), path)
    assert not [r for r in rows if r.failed]
    assert _shapes(cloud) == before
    again = restrict_restore.restore(cloud, _load(path), path)
    assert [r.action.split(';')[0] for r in again] == ['already present'] * 5
    assert _shapes(cloud) == before


def test_restore_dry_run_changes_nothing(tmp_path):
    cloud, _, path = _restricted(tmp_path)
    after = _shapes(cloud)
    cloud.log.clear()
    rows = restrict_restore.restore(cloud, _load(path), path, dry_run=True)
    assert all(r.action.startswith('would restore') for r in rows)
    assert [m for m, _ in cloud.log if m != 'GET'] == []
    assert _shapes(cloud) == after


def test_restore_leaves_a_replacement_it_did_not_create(tmp_path):
    rules = _rules() + [_rule('have', prefix='10.0.0.0/8')]
    cloud = _cloud(rules)
    p = _plan_of(cloud, [SSH])
    path = str(tmp_path / 'b.json')
    restrict.apply(cloud, p, path, NOW)
    restrict_restore.restore(cloud, _load(path), path)
    ids = {r['id'] for r in cloud.data['security-group-rules']}
    assert 'have' in ids


def test_an_edited_backup_is_refused(tmp_path):
    _, _, path = _restricted(tmp_path)
    with open(path) as f:
        data = json.load(f)
    data['rules'][0]['rule']['port_range_min'] = 1
    with pytest.raises(harden.Refused, match='digest does not '
                       'match'):
        restrict_restore.check_backup(data, path)


@pytest.mark.parametrize('change, why', [
    (lambda d: d['rules'][0]['rule'].update(direction='egress'),
     'is not an ingress rule'),
    (lambda d: d['rules'][0]['rule'].update(remote_ip_prefix='10.0.0.0/8'),
     'admits no public address'),
    (lambda d: d['rules'][0]['rule'].update(port_range_min='22'),
     'not a port'),
    (lambda d: d['rules'][0].update(replacements=[]), 'names no replacement'),
    (lambda d: d['rules'][0]['replacements'][0].update(
        remote_ip_prefix='192.168.0.0/16'), 'outside the backup\'s sources'),
    (lambda d: d.update(version=2), 'backup version 2'),
    (lambda d: d.update(rules={}), 'is damaged'),
])
def test_a_backup_holding_what_restrict_never_wrote_is_refused(
        tmp_path, change, why):
    _, _, path = _restricted(tmp_path)
    _edited(path, change)
    with pytest.raises(harden.Refused, match=why):
        _load(path)


def test_a_backup_naming_a_foreign_rule_as_a_replacement_is_refused(
        tmp_path):
    """Re-pointing a replacement at another rule of the group (a digest
    recomputed) is caught against the cloud, before anything changes."""
    cloud, _, path = _restricted(tmp_path, [SSH])
    _edited(path, lambda d: d['rules'][0]['replacements'][0].update(
        id='https'))
    after = _shapes(cloud)
    with pytest.raises(harden.Refused, match='names rule https as '
                       'the restricted copy'):
        restrict_restore.restore(cloud, _load(path), path)
    assert _shapes(cloud) == after


def test_restore_puts_back_an_original_a_concurrent_restrict_removed(
        tmp_path):
    cloud, before, path = _restricted(tmp_path, [SSH])
    data = _load(path)
    original = data['rules'][0]['rule']
    real_delete = cloud.delete

    def delete(url, headers=None, **kw):
        resp = real_delete(url, headers=headers, **kw)
        # a concurrent restrict deletes the rule just put back
        for r in list(cloud.data['security-group-rules']):
            if r.get('remote_ip_prefix') == original['remote_ip_prefix'] \
                    and r['ethertype'] == original['ethertype'] and \
                    r.get('port_range_min') == 22:
                cloud.data['security-group-rules'].remove(r)
        return resp

    cloud.delete = delete
    rows = restrict_restore.restore(cloud, data, path)
    cloud.delete = real_delete
    assert any('created again' in r.action for r in rows)
    assert _shapes(cloud) == before


def test_the_proof_judges_a_shared_address_group_from_outside_the_scope():
    """A source address group of another project (shared with the rule's)
    is not in a scoped inventory: the proof adds it, so that with a rule
    the group keeps it is still judged."""
    inv = _inv(**_half_accepted(), rbac_policies=[{
        'object_type': 'address_group', 'object_id': 'ag-far',
        'target_tenant': '*'}])
    inv.endorsements = endorse.of_inventory(inv)
    far = {'id': 'ag-far', 'name': 'far', 'project_id': 'elsewhere',
           'addresses': ['128.0.0.0/1']}
    with pytest.raises(harden.Refused, match='would still be open'):
        restrict.plan(inv, SETTINGS, [SSH],
                      restrict.address_group_sources(far))


# --- the small steps, each pinned -------------------------------------

def test_an_address_group_with_host_bits_gives_its_prefixes_junk_refuses():
    ag = {'id': 'ag1', 'name': 'bastions',
          'addresses': ['10.1.2.3/16', 'FD00:1::/ffff:ffff:ffff::']}
    s = restrict.address_group_sources(ag)
    assert s.prefixes == {4: ['10.1.0.0/16'], 6: ['fd00:1::/48']}
    # what the group admits cannot be known: the rules are not written
    with pytest.raises(harden.Refused, match="^address group "
                       "bastions: 'not an address' is not a prefix"):
        restrict.address_group_sources(
            dict(ag, addresses=ag['addresses'] + ['not an address']))
    with pytest.raises(harden.Refused,
                       match='^address group bastions '):
        restrict.address_group_sources(
            dict(ag, addresses=['0.0.0.0/1', '128.0.0.0/1']))
    with pytest.raises(harden.Refused, match='^address group ag2 '):
        restrict.address_group_sources({'id': 'ag2', 'name': '',
                                        'addresses': ['::/0']})


def test_would_rows_in_full():
    p = restrict.plan(_inv(), SETTINGS, [SSH], BOTH)
    assert [(r.project_id, r.group_id, r.item, r.action, r.failed,
             r.made) for r in restrict.would(p)] == [
        ('pa', 'g1', 'ssh4', 'would replace with 10.0.0.0/8', False, []),
        ('pa', 'g1', 'ssh6', 'would replace with fd00::/8', False, [])]
    ag = restrict.address_group_sources(
        {'id': 'ag1', 'name': 'b', 'project_id': 'pa',
         'addresses': ['10.1.0.0/16']})
    rules = [r for r in _rules() if r['id'] == 'ssh4']
    p = restrict.plan(_inv(rules=rules), SETTINGS, [SSH], ag)
    assert [r.action for r in restrict.would(p)] == [
        'would replace with address group ag1']


def test_a_rule_in_another_projects_group_is_the_groups_in_the_plan():
    rules = [_rule('ssh4', project_id='admin-project')]
    p = restrict.plan(_inv(rules=rules), SETTINGS, [SSH], BOTH)
    assert [r.project_id for r in restrict.would(p)] == ['pa']


def test_group_names_are_read_once_and_a_failure_is_no_names():
    cloud = _cloud()
    assert restrict.group_names(cloud, ['g1', 'g2']) == {'g1': 'web',
                                                         'g2': 'db'}
    cloud.fail['/security-groups'] = 503
    assert restrict.group_names(cloud, ['g1']) == {}


def test_read_inventory_scopes_one_project_and_keeps_the_endorsements():
    cloud = _cloud()
    endorsed = {'pa': {}}
    one = restrict.read_inventory(cloud, ['pa'], endorsed)
    assert {g['id'] for g in one.security_groups} == {'g1'}
    assert one.endorsements is endorsed
    both = restrict.read_inventory(cloud, ['pa', 'pb'], None)
    assert {g['id'] for g in both.security_groups} == {'g1', 'g2'}
    every = restrict.read_inventory(cloud, None, None)
    assert {g['id'] for g in every.security_groups} == {'g1', 'g2'}


@pytest.mark.parametrize('change, why', [
    (lambda r: r.update(port_range_min=65536, port_range_max=65536),
     'not a port'),
    (lambda r: r.update(port_range_min=-1), 'not a port'),
    (lambda r: r.update(description='d' * 256), 'description'),
    (lambda r: r.update(description=5), 'description'),
    (lambda r: r.update(protocol=6), 'protocol that is not text'),
    (lambda r: r.update(id=''), 'has no id'),
    (lambda r: r.update(id=7), 'has no id'),
    (lambda r: r.update(remote_group_id='g2'), 'is not an ingress rule'),
    (lambda r: r.update(ethertype='IPv5'), 'is not an ingress rule'),
])
def test_a_backup_rule_out_of_bounds_is_refused(tmp_path, change, why):
    _, _, path = _restricted(tmp_path, [SSH])
    _edited(path, lambda d: change(d['rules'][0]['rule']))
    with pytest.raises(harden.Refused, match=why):
        _load(path)


@pytest.mark.parametrize('change', [
    lambda r: r.update(port_range_min=0, port_range_max=65535),
    lambda r: r.update(description='d' * 255),
    lambda r: r.update(description=None),
])
def test_a_backup_rule_at_the_bounds_is_taken(tmp_path, change):
    _, _, path = _restricted(tmp_path, [SSH])
    _edited(path, lambda d: change(d['rules'][0]['rule']))
    assert _load(path)['rules'][0]['rule']['id'] == 'ssh4'


def test_a_restore_whose_read_back_fails_says_so_on_every_row(tmp_path):
    cloud, _, path = _restricted(tmp_path, [SSH])
    data = _load(path)
    real = cloud.get
    reads = []

    def get(url, params=None, **kw):
        if url == '/security-group-rules':
            reads.append(url)
            if len(reads) > 1:      # the plan's read passes, the read-back
                from tests.unit.clouds import FakeResponse
                return FakeResponse(503, {'NeutronError': {
                    'message': 'busy'}})
        return real(url, params=params, **kw)
    cloud.get = get
    rows = restrict_restore.restore(cloud, data, path)
    assert len(reads) > 1
    assert all(r.failed is True and r.action.startswith('restored; ') and
               '; not read back (' in r.action for r in rows), [
                   r.action for r in rows]


def test_undo_names_the_created_rules_it_could_not_delete(tmp_path):
    cloud = _cloud()
    p = _plan_of(cloud, [SSH])
    blocked = tmp_path / 'file'
    blocked.write_text('')
    cloud.delete = lambda url, **kw: _deny()      # every delete refused
    with pytest.raises(harden.Refused) as err:
        restrict.apply(cloud, p, str(blocked / 'b.json'), NOW)
    made = sorted(r['id'] for r in cloud.data['security-group-rules']
                  if r['remote_ip_prefix'] == 'fd00::/8')
    assert made and ('the restricted rules %s it created are still there'
                     % ', '.join(made)) in str(err.value)
    assert ('`openstack security group rule delete %s`' % ' '.join(made)
            ) in str(err.value)


def _deny():
    from tests.unit.clouds import FakeResponse
    return FakeResponse(403, {'NeutronError': {'message': 'no'}})


def test_failures_names_two_and_counts_the_rest():
    rows = [restrict.row_maker(_rule('r%d' % i), [])('failed: x', True)
            for i in range(3)] + [restrict.row_maker(_rule('ok'), [])('ok')]
    assert restrict.failures(rows, ['openstack', 'y']) == (
        '3 of 4 rules failed to restrict (r0: failed: x; r1: failed: x; '
        '...); finish with `openstack y r0 r1 r2`')
    assert restrict.failures(rows[3:], ['openstack', 'y']) == ''
