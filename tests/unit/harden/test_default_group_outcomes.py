"""What `security group harden restore` and `harden default` report, row
by row: project, group, item, ethertype, action and failure, in full."""

import os

import pytest

from tests.unit.clouds import FakeResponse
from tests.unit.harden import default_group_cases as base
from xloudclient.harden import default_group
from xloudclient.harden import default_group_restore as restoring
from xloudclient import harden


def _rows(rows):
    return [(r.project_id, r.group_id, r.item, r.ethertype, r.action,
             r.failed) for r in rows]


def _backup(tmp_path, **kw):
    cloud = base._cloud()
    for rule in cloud.data['security-group-rules']:
        if rule['id'] == 'a4':
            rule['description'] = 'kept'
    return base._backup(tmp_path, cloud, **kw)


def _new(cloud, name='security-group-rules'):
    return [i for i in cloud.data[name] if i['id'].startswith('new-')]


def test_restore_rows_in_full_and_descriptions_come_back(tmp_path):
    cloud, path, _ = _backup(tmp_path)
    rows = restoring.restore(cloud, restoring.load_backup(path))
    new_rules = {(r['security_group_id'], r['ethertype']): r
                 for r in _new(cloud)}
    [template] = _new(cloud, 'default-security-group-rules')
    assert _rows(rows) == [
        ('a', 'da', 'a4', 'IPv4',
         'restored as %s' % new_rules['da', 'IPv4']['id'], False),
        ('a', 'da', 'a6', 'IPv6',
         'restored as %s' % new_rules['da', 'IPv6']['id'], False),
        ('b', 'db', 'b4', 'IPv4',
         'restored as %s' % new_rules['db', 'IPv4']['id'], False),
        ('', '', 'template:t-in4', 'IPv4',
         'restored as %s' % template['id'], False)]
    assert new_rules['da', 'IPv4']['description'] == 'kept'
    assert 'description' not in new_rules['da', 'IPv6']
    assert template['description'] == 'Legacy'
    assert (template['remote_group_id'], template['used_in_default_sg'],
            template['used_in_non_default_sg']) == ('PARENT', True, False)


def test_restore_preview_and_already_present_rows(tmp_path):
    cloud, path, _ = _backup(tmp_path, projects=['b'])
    data = restoring.load_backup(path)
    assert _rows(restoring.restore(cloud, data, dry_run=True)) == [
        ('b', 'db', 'b4', 'IPv4', 'would restore', False),
        ('', '', 'template:t-in4', 'IPv4', 'would restore', False)]
    restoring.restore(cloud, data)
    assert _rows(restoring.restore(cloud, data)) == [
        ('b', 'db', 'b4', 'IPv4', 'already present', False),
        ('', '', 'template:t-in4', 'IPv4', 'already present', False)]


def test_a_vanished_group_fails_its_rules_and_restore_goes_on(tmp_path):
    cloud, path, _ = _backup(tmp_path)
    cloud.data['security-groups'] = [
        g for g in cloud.data['security-groups'] if g['id'] != 'da']
    rows = restoring.restore(cloud, restoring.load_backup(path))
    assert _rows(rows)[:2] == [
        ('a', 'da', 'a4', 'IPv4',
         'failed: security group da no longer exists', True),
        ('a', 'da', 'a6', 'IPv6',
         'failed: security group da no longer exists', True)]
    assert rows[2].action.startswith('restored as ')
    assert [r['security_group_id'] for r in _new(cloud)] == ['db']


def test_an_unreadable_template_list_fails_the_template_rows(tmp_path):
    cloud, path, _ = _backup(tmp_path, projects=['b'])
    cloud.fail['/default-security-group-rules'] = 503
    rows = restoring.restore(cloud, restoring.load_backup(path))
    assert _rows(rows)[1][:3] == ('', '', 'template:t-in4')
    assert rows[1].ethertype == 'IPv4' and rows[1].failed
    assert rows[1].action.startswith('failed: ')
    assert 'injected' in rows[1].action
    assert _new(cloud, 'default-security-group-rules') == []


def test_an_unreadable_rule_list_names_the_error_per_rule(tmp_path):
    cloud, path, _ = _backup(tmp_path, projects=['b'])
    cloud.fail['/security-group-rules'] = 503
    [row] = [r for r in restoring.restore(
        cloud, restoring.load_backup(path)) if r.item == 'b4']
    assert (row.project_id, row.group_id, row.ethertype, row.failed) == (
        'b', 'db', 'IPv4', True)
    assert row.action.startswith('failed: ') and 'injected' in row.action


def test_an_unreadable_group_list_creates_nothing(tmp_path):
    cloud, path, _ = _backup(tmp_path)
    cloud.fail['/security-groups'] = 503
    with pytest.raises(harden.Refused) as err:
        restoring.restore(cloud, restoring.load_backup(path))
    assert str(err.value).endswith('; nothing was created')
    assert 'injected' in str(err.value)
    assert _new(cloud) == []


@pytest.mark.parametrize('present', [True, False])
def test_a_template_whose_answer_was_lost_is_judged_by_a_fresh_read(
        tmp_path, present):
    cloud, path, _ = _backup(tmp_path, projects=['b'])
    real_post = cloud.post

    def post(url, json=None, **kw):
        if url == '/default-security-group-rules':
            if present:
                real_post(url, json=json, **kw)
            raise ConnectionResetError('Connection reset by peer')
        return real_post(url, json=json, **kw)
    cloud.post = post
    [row] = [r for r in restoring.restore(
        cloud, restoring.load_backup(path)) if r.item == 'template:t-in4']
    assert (row.action == 'restored', row.failed) == (present, not present)


def test_a_refused_create_is_failed_without_a_second_look(tmp_path):
    cloud, path, _ = _backup(tmp_path, projects=['b'])
    cloud.deny.add(('POST', '/security-group-rules'))
    rows = restoring.restore(cloud, restoring.load_backup(path))
    assert _rows(rows)[0] == (
        'b', 'db', 'b4', 'IPv4',
        'failed: restoring b4: denied', True)
    after_post = cloud.log[cloud.log.index(
        ('POST', '/security-group-rules')) + 1:]
    assert ('GET', '/security-group-rules') not in after_post


def test_harden_rows_in_full(tmp_path):
    cloud = base._cloud()
    cloud.deny.add(('DELETE', '/security-group-rules/a6'))
    plans = default_group.plan(cloud, ['a', 'b'])
    templates, _ = default_group.plan_templates(cloud)
    rows = default_group.apply(cloud, plans, templates)
    assert _rows(rows) == [
        ('a', 'da', 'a4', 'IPv4', 'deleted', False),
        ('a', 'da', 'a6', 'IPv6',
         'failed: deleting a6: rule:delete denied', True),
        ('b', 'db', 'b4', 'IPv4', 'deleted', False),
        ('', '', 'template:t-in4', 'IPv4', 'deleted', False)]


def test_a_delete_answered_with_anything_but_204_is_a_failure():
    cloud = base._cloud()
    real = cloud.delete

    def delete(path, **kw):
        if path == '/security-group-rules/b4':
            return FakeResponse(200, {})
        return real(path, **kw)
    cloud.delete = delete
    [row] = default_group.apply(cloud, default_group.plan(cloud, ['b']), [])
    assert row.failed and row.action.startswith('failed: deleting b4')


# --- what plan and backup ask and write -------------------------------------

def _query(cloud, path):
    return [q for p, q in cloud.queries if p == path]


def test_plan_asks_only_for_the_projects_it_plans():
    cloud = base._cloud()
    default_group.plan(cloud, ['b'])
    [rules] = _query(cloud, '/security-group-rules')
    [ports] = _query(cloud, '/ports')
    assert rules['project_id'] == ['b'] and rules['direction'] == 'ingress'
    assert 'fields' not in rules            # every attribute, for backup
    assert ports['project_id'] == ['b']


def test_plan_of_a_group_without_ingress_rules_is_empty():
    cloud = base._cloud()
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules']
        if r['security_group_id'] != 'db']
    [plan] = default_group.plan(cloud, ['b'])
    assert plan.group['id'] == 'db' and plan.rules == []


def test_backup_lists_only_projects_with_rules_to_remove(tmp_path):
    cloud = base._cloud()
    plans = default_group.plan(cloud, ['a', 'b', 'zzz'])
    plans[1].rules.clear()                  # b: already hardened
    path = str(tmp_path / 'b.json')
    base._write_backup(path, plans, [])
    data = restoring.load_backup(path)
    assert data['projects'] == [{'project_id': 'a',
                                 'security_group_id': 'da'}]


def test_backups_go_under_xdg_state_home_or_local_state(monkeypatch,
                                                        tmp_path):
    monkeypatch.delenv('XDG_STATE_HOME', raising=False)
    monkeypatch.setenv('HOME', str(tmp_path))
    assert default_group.BACKUP.default_path(base.NOW) == str(
        tmp_path / '.local' / 'state' / 'xloudclient' / 'backups' /
        'default-sg-20261126T120000.000000Z.json')
    monkeypatch.setenv('XDG_STATE_HOME', str(tmp_path / 's'))
    assert default_group.BACKUP.default_path(base.NOW).startswith(
        str(tmp_path / 's' / 'xloudclient' / 'backups') + '/')


def test_restore_checks_groups_in_batches_that_keep_urls_short(tmp_path):
    cloud = base._cloud()
    groups = ['g%03d' % i for i in range(250)]
    cloud.data['security-groups'] += [
        {'id': g, 'name': 'default', 'project_id': 'p' + g} for g in groups]
    rules = [base._rule('r' + g, g, 'p' + g) for g in groups]
    found = restoring._default_groups(cloud, rules)
    asked = [q['id'] for q in _query(cloud, '/security-groups')]
    assert [len(ids) for ids in asked] == [100, 100, 50]
    assert sorted(i for ids in asked for i in ids) == groups
    assert sorted(found) == groups


def test_a_backup_rule_without_a_project_is_judged_by_its_group():
    cloud = base._cloud()
    rule = base._rule('x', 'db', None)
    assert list(restoring._default_groups(cloud, [rule])) == ['db']
    with pytest.raises(harden.Refused) as err:
        restoring._default_groups(cloud, [base._rule('x', 'wa', None)])
    assert str(err.value) == (
        'the backup puts rule x in security group wa, which is not the '
        'default group of project ?: refusing it, nothing was created')


def test_harden_rows_for_missing_and_hardened_projects():
    cloud = base._cloud()
    plans = default_group.plan(cloud, ['b', 'zzz'])
    plans[0].rules.clear()
    assert _rows(default_group.apply(cloud, plans, [])) == [
        ('b', 'db', '', '', 'unchanged (already hardened)', False),
        ('zzz', '', '', '', 'no default group yet', False)]


def test_a_backup_rule_of_another_project_than_its_group_is_refused():
    cloud = base._cloud()
    with pytest.raises(harden.Refused, match='not the default '
                       'group of project b'):
        restoring._default_groups(cloud, [base._rule('x', 'da', 'b')])


def test_an_extension_list_without_extensions_means_none():
    cloud = base._cloud()
    real = cloud.get

    def get(path, params=None, **kw):
        if path == '/extensions':
            return FakeResponse(200, {})
        return real(path, params, **kw)
    cloud.get = get
    with pytest.raises(harden.Refused, match='lacks'):
        default_group.plan_templates(cloud)


def test_a_backup_written_by_an_earlier_release_still_restores(tmp_path):
    # Written by `security group harden default` at commit d0707b5: the
    # digest's canonical form must not change between releases.
    path = os.path.join(os.path.dirname(__file__), 'data',
                        'default-sg-backup-v2.json')
    cloud = base._cloud()
    default_group.apply(cloud, default_group.plan(cloud, ['a']), [])
    data = restoring.load_backup(path)
    assert [r['id'] for r in data['rules']] == ['a4', 'a6']
    rows = restoring.restore(cloud, data, dry_run=True)
    assert [r.action for r in rows] == ['would restore'] * 2
