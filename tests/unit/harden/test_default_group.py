import json
import os
import stat

import pytest

from xloudclient.harden import default_group
from xloudclient.harden import default_group_restore as restoring
from xloudclient import harden
from xloudclient.harden import backups
from tests.unit.harden.default_group_cases import NOW
from tests.unit.harden.default_group_cases import _backup
from tests.unit.harden.default_group_cases import _cloud
from tests.unit.harden.default_group_cases import _write_backup


def _ids(cloud, name='security-group-rules'):
    return sorted(i['id'] for i in cloud.data[name])


def test_plan_picks_only_the_permissive_rules_with_blast_radius():
    plans = {p.project_id: p for p in default_group.plan(_cloud(), ['a'])}
    plan = plans['a']
    assert [r['id'] for r in plan.rules] == ['a4', 'a6']
    assert (plan.ports_using, plan.ports_only_default) == (2, 1)
    assert list(plans) == ['a']


def test_plan_all_projects_and_missing_group():
    plans = default_group.plan(_cloud())
    assert [p.project_id for p in plans] == ['a', 'b']
    [missing] = default_group.plan(_cloud(), ['zzz'])
    assert missing.group is None and missing.rules == []


def test_templates():
    cloud = _cloud()
    todo, everything = default_group.plan_templates(cloud)
    assert [t['id'] for t in todo] == ['t-in4']
    cloud.extensions = []
    with pytest.raises(harden.Refused, match='lacks'):
        default_group.plan_templates(cloud)


def test_apply_deletes_exactly_the_plan_then_is_unchanged(tmp_path):
    cloud = _cloud()
    plans = default_group.plan(cloud, ['a'])
    templates, _ = default_group.plan_templates(cloud)
    rows = default_group.apply(cloud, plans, templates)
    assert [(r.item, r.action) for r in rows] == [
        ('a4', 'deleted'), ('a6', 'deleted'), ('template:t-in4', 'deleted')]
    assert _ids(cloud) == ['a-egress', 'a-ssh', 'a-tcp-self', 'b4',
                           'w-self']
    assert _ids(cloud, 'default-security-group-rules') == ['t-eg4']
    rows = default_group.apply(cloud, default_group.plan(cloud, ['a']), [])
    assert [r.action for r in rows] == ['unchanged (already hardened)']


def test_apply_reports_failures_per_project_and_goes_on():
    cloud = _cloud()
    cloud.deny.add(('DELETE', '/security-group-rules/a'))
    rows = default_group.apply(cloud, default_group.plan(cloud), [])
    assert [(r.project_id, r.failed) for r in rows] == [
        ('a', True), ('a', True), ('b', False)]
    assert 'b4' not in _ids(cloud)


def test_concurrently_deleted_rule_is_already_gone():
    cloud = _cloud()
    plans = default_group.plan(cloud, ['a'])
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules'] if r['id'] != 'a4']
    rows = default_group.apply(cloud, plans, [])
    assert [r.action for r in rows] == ['already gone', 'deleted']


def test_backup_round_trip_restores_equivalent_rules(tmp_path):
    cloud = _cloud()
    before = {r['id']: r for r in cloud.data['security-group-rules']}
    plans = default_group.plan(cloud)
    templates, _ = default_group.plan_templates(cloud)
    path = str(tmp_path / 'backup.json')
    _write_backup(path, plans, templates)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    default_group.apply(cloud, plans, templates)
    data = restoring.load_backup(path)
    assert [r['id'] for r in data['rules']] == ['a4', 'a6', 'b4']
    rows = restoring.restore(cloud, data)
    assert all(r.action.startswith('restored') for r in rows), rows
    after = cloud.data['security-group-rules']
    # Judged by the rule's own attributes, not by the code's MATCH_KEYS.
    keys = ('direction', 'ethertype', 'protocol', 'port_range_min',
            'port_range_max', 'remote_ip_prefix', 'remote_group_id',
            'remote_address_group_id', 'security_group_id', 'project_id')
    for rid in ('a4', 'a6', 'b4'):
        old = before[rid]
        assert sum(all((new.get(k) or None) == (old.get(k) or None)
                       for k in keys) for new in after) == 1, rid
    assert len(cloud.data['default-security-group-rules']) == 2
    assert {r.action for r in restoring.restore(cloud, data)} == {
        'already present'}


def test_restore_dry_run_changes_nothing(tmp_path):
    cloud = _cloud()
    plans = default_group.plan(cloud, ['a'])
    path = str(tmp_path / 'b.json')
    _write_backup(path, plans, [])
    default_group.apply(cloud, plans, [])
    snapshot = json.dumps(cloud.data, sort_keys=True)
    rows = restoring.restore(cloud, restoring.load_backup(path), True)
    assert [r.action for r in rows] == ['would restore'] * 2
    assert json.dumps(cloud.data, sort_keys=True) == snapshot


def test_backup_never_overwrites(tmp_path):
    path = tmp_path / 'b.json'
    path.write_text('precious')
    with pytest.raises(harden.Refused, match='already exists'):
        _write_backup(str(path), [], [])
    assert path.read_text() == 'precious'


def test_unwritable_backup_location(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    with pytest.raises(harden.Refused, match='nothing was deleted'):
        _write_backup(str(blocker / 'b.json'), [], [])


@pytest.mark.parametrize('content, message', [
    ('not json', 'not JSON'),
    ('[]', 'not an xloudclient'),
    ('{"format": "something-else"}', 'not an xloudclient'),
    (json.dumps({'format': default_group.BACKUP.format, 'version': 9,
                 'rules': [], 'templates': []}), 'version 9'),
    (json.dumps({'format': default_group.BACKUP.format, 'version': 1,
                 'rules': {}, 'templates': []}), 'damaged'),
    (json.dumps({'format': default_group.BACKUP.format, 'version': 1,
                 'rules': [{'id': 'x'}], 'templates': []}), 'rule 1'),
])
def test_bad_backups_refused(tmp_path, content, message):
    path = tmp_path / 'b.json'
    path.write_text(content)
    with pytest.raises(harden.Refused, match=message):
        restoring.load_backup(str(path))


def test_default_backup_path_uses_xdg_state(monkeypatch, tmp_path):
    monkeypatch.setenv('XDG_STATE_HOME', str(tmp_path))
    assert default_group.BACKUP.default_path(NOW).startswith(
        str(tmp_path / 'xloudclient' / 'backups' / 'default-sg-2026'))


# --- a backup is distrusted (issue 10, defect 4) ----------------------


def _rewrite(path, data, digest=True):
    data = dict(data)
    data.pop('digest', None)
    if digest:
        data['digest'] = backups.digest(
            data, default_group.BACKUP.digested)
    with open(path, 'w') as f:
        json.dump(data, f)


WORLD_ANY = {'protocol': None, 'remote_group_id': None,
             'remote_ip_prefix': '0.0.0.0/0'}
WORLD_MYSQL = {'protocol': 'tcp', 'port_range_min': 3306,
               'port_range_max': 3306, 'remote_group_id': None,
               'remote_ip_prefix': '0.0.0.0/0'}


def test_an_edited_backup_fails_its_digest(tmp_path):
    cloud, path, data = _backup(tmp_path)
    data['rules'][0].update(WORLD_ANY)
    _rewrite(path, data, digest=False)
    with pytest.raises(harden.Refused, match='digest'):
        restoring.load_backup(path)


@pytest.mark.parametrize('change', [
    WORLD_ANY, WORLD_MYSQL, {'direction': 'egress'},
    {'remote_group_id': 'wa'}, {'protocol': 'tcp'},
    {'remote_address_group_id': 'ag-1'}, {'ethertype': 'IPX'},
    {'description': 'x' * 256}, {'project_id': ['a']}])
def test_restore_refuses_anything_but_same_group_rules(tmp_path, change):
    # Even with a digest that matches (recomputed by whoever edited it).
    cloud, path, data = _backup(tmp_path)
    data['rules'][0].update(change)
    _rewrite(path, data)
    with pytest.raises(harden.Refused, match='rule 1'):
        restoring.load_backup(path)


def test_restore_refuses_a_same_group_rule_of_a_non_default_group(
        tmp_path):
    cloud, path, data = _backup(tmp_path)
    data['rules'].append(dict(data['rules'][0], id='evil',
                              security_group_id='wa', remote_group_id='wa'))
    _rewrite(path, data)
    before = json.dumps(cloud.data, sort_keys=True)
    with pytest.raises(harden.Refused, match='not the default'):
        restoring.restore(cloud, restoring.load_backup(path))
    assert json.dumps(cloud.data, sort_keys=True) == before


@pytest.mark.parametrize('change', [
    {'remote_group_id': None, 'remote_ip_prefix': '0.0.0.0/0'},
    {'direction': 'egress'}, {'used_in_non_default_sg': True},
    {'protocol': 'tcp', 'port_range_min': 22, 'port_range_max': 22}])
def test_restore_refuses_other_template_entries(tmp_path, change):
    cloud, path, data = _backup(tmp_path)
    data['templates'][0].update(change)
    _rewrite(path, data)
    with pytest.raises(harden.Refused, match='template entry 1'):
        restoring.load_backup(path)


@pytest.mark.parametrize('version', [True, 1.0, '2', None])
def test_backup_version_must_be_an_integer(tmp_path, version):
    cloud, path, data = _backup(tmp_path)
    data['version'] = version
    _rewrite(path, data)
    with pytest.raises(harden.Refused, match='backup version'):
        restoring.load_backup(path)


def test_restore_creates_only_the_fields_of_a_same_group_rule(tmp_path):
    cloud, path, data = _backup(tmp_path, projects=['a'])
    data['rules'][0]['normalized_cidr'] = '0.0.0.0/0'   # ignored
    _rewrite(path, data)
    restoring.restore(cloud, restoring.load_backup(path))
    created = [r for r in cloud.data['security-group-rules']
               if r['id'].startswith('new-')]
    assert len(created) == 2
    for rule in created:
        assert set(rule) <= {'id', 'revision_number', 'security_group_id',
                             'remote_group_id', 'direction', 'ethertype',
                             'project_id', 'description'}
        assert rule['remote_group_id'] == rule['security_group_id'] == 'da'


def test_restore_reports_a_refused_create_as_failed(tmp_path):
    cloud, path, data = _backup(tmp_path, projects=['a'])
    cloud.deny.add(('POST', '/security-group-rules'))
    rows = restoring.restore(cloud, restoring.load_backup(path))
    assert [(r.failed, r.action.split(':')[0]) for r in rows
            if not r.item.startswith('template:')] == [
        (True, 'failed'), (True, 'failed')]


def test_restore_with_an_unreadable_rule_list_creates_nothing(tmp_path):
    cloud, path, data = _backup(tmp_path, projects=['a'])
    real_get = cloud.get

    def get(path, params=None, **kw):
        if path == '/security-group-rules':
            from tests.unit.clouds import FakeResponse
            return FakeResponse(503, {})
        return real_get(path, params, **kw)
    cloud.get = get
    rows = restoring.restore(cloud, restoring.load_backup(path))
    assert all(r.failed for r in rows[:2])
    assert ('POST', '/security-group-rules') not in cloud.log


def test_oversized_or_binary_backups_are_refused(tmp_path):
    big = tmp_path / 'big.json'
    with open(big, 'wb') as f:
        f.seek(backups.MAX_BYTES + 1)
        f.write(b'}')
    with pytest.raises(harden.Refused, match='larger than 16 MiB'):
        restoring.load_backup(str(big))
    binary = tmp_path / 'bin.json'
    binary.write_bytes(b'\xff\xfe{}')
    with pytest.raises(harden.Refused, match='not UTF-8'):
        restoring.load_backup(str(binary))
    deep = tmp_path / 'deep.json'
    deep.write_text('[' * 100000 + ']' * 100000)
    with pytest.raises(harden.Refused, match='nested too deeply'):
        restoring.load_backup(str(deep))


def test_new_backup_folders_are_private_all_the_way(tmp_path):
    path = tmp_path / 'x' / 'y' / 'z' / 'b.json'
    _write_backup(str(path), [], [])
    for folder in (tmp_path / 'x', tmp_path / 'x' / 'y',
                   tmp_path / 'x' / 'y' / 'z'):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


@pytest.mark.parametrize('answer, present, action, failed', [
    (409, False, 'failed', True),          # a 409 that created nothing
    (409, True, 'already present', False),
    ('reset', True, 'restored', False),    # landed, answer lost
    ('reset', False, 'failed', True),
])
def test_restore_judges_conflicts_and_lost_answers_by_a_fresh_read(
        tmp_path, answer, present, action, failed):
    from tests.unit.clouds import FakeResponse
    cloud, path, data = _backup(tmp_path, projects=['a'])
    real_post = cloud.post

    def post(url, json=None, **kw):
        if url == '/security-group-rules':
            if present:
                real_post(url, json=json, **kw)
            if answer == 'reset':
                raise ConnectionResetError('Connection reset by peer')
            return FakeResponse(409, {'NeutronError': {'message': 'exists'}})
        return real_post(url, json=json, **kw)
    cloud.post = post
    rows = restoring.restore(cloud, restoring.load_backup(path))
    rule_rows = [r for r in rows if not r.item.startswith('template:')]
    assert [(r.action.split(':')[0], r.failed) for r in rule_rows] == [
        (action, failed)] * 2


# --- destructive guards (found by mutation testing) ----------------------

@pytest.mark.parametrize('change', [
    {'protocol': 'tcp'}, {'port_range_min': 22, 'port_range_max': 22},
    {'port_range_max': 22}, {'remote_ip_prefix': '10.0.0.0/8'},
    {'remote_group_id': None}, {'direction': 'egress'},
    {'used_in_default_sg': False}])
def test_only_the_permissive_template_entry_is_planned(change):
    cloud = _cloud()
    entry = cloud.data['default-security-group-rules'][0]
    entry.update(change)
    todo, _ = default_group.plan_templates(cloud)
    assert todo == []


@pytest.mark.parametrize('change', [
    {'ethertype': 'IPX'}, {'remote_address_group_id': 'ag-1'},
    {'id': None, 'direction': None}])
def test_restore_refuses_template_entries_of_another_shape(tmp_path,
                                                           change):
    cloud, path, data = _backup(tmp_path)
    data['templates'][0].update(change)
    _rewrite(path, data)
    with pytest.raises(harden.Refused, match='template entry 1'):
        restoring.load_backup(path)


def test_a_vanished_group_does_not_stop_the_default_group_check(tmp_path):
    cloud, path, data = _backup(tmp_path)
    first = dict(data['rules'][0], id='gone', security_group_id='vanished',
                 remote_group_id='vanished')
    evil = dict(data['rules'][0], id='evil', security_group_id='wa',
                remote_group_id='wa')
    data['rules'] = [first, evil] + data['rules']
    _rewrite(path, data)
    before = json.dumps(cloud.data, sort_keys=True)
    with pytest.raises(harden.Refused, match='not the default'):
        restoring.restore(cloud, restoring.load_backup(path))
    assert json.dumps(cloud.data, sort_keys=True) == before


def test_apply_goes_on_past_projects_with_nothing_to_do():
    cloud = _cloud()
    plans = default_group.plan(cloud, ['0-none', 'a', 'b', 'zzz'])
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules'] if r['id'] != 'b4']
    plans[2].rules = []                        # b: already hardened
    rows = default_group.apply(cloud, plans, [])
    assert [(r.project_id, r.item, r.action) for r in rows] == [
        ('0-none', '', 'no default group yet'),
        ('a', 'a4', 'deleted'), ('a', 'a6', 'deleted'),
        ('b', '', 'unchanged (already hardened)'),
        ('zzz', '', 'no default group yet')]


def test_blast_radius_counts_ports_with_no_other_group():
    cloud = _cloud()
    cloud.data['ports'].append({'id': 'p4', 'project_id': 'a',
                                'security_groups': ['da']})
    [plan] = default_group.plan(cloud, ['a'])
    assert (plan.ports_using, plan.ports_only_default) == (3, 2)


@pytest.mark.parametrize('field', ['projects', 'rules', 'templates'])
def test_the_digest_covers_every_part_restore_reads(tmp_path, field):
    cloud, path, data = _backup(tmp_path)
    if field == 'projects':
        data['projects'].append({'project_id': 'x',
                                 'security_group_id': 'y'})
    elif field == 'rules':
        data['rules'].pop()
    else:
        data['templates'] = []
    with open(path, 'w') as f:
        json.dump(data, f)          # edited, the digest of before kept
    with pytest.raises(harden.Refused, match='digest'):
        restoring.load_backup(path)
