"""What a restrict's restore reports, row by row and in full: restored,
already present, would restore, a vanished group, a create or a delete
that fails; and under every fault at every request, rows that agree with
the rules left."""

import pytest

from tests.unit import faults
from tests.unit.harden import test_restrict as base
from xloudclient.harden import restrict_restore


def _rows(rows):
    return [(r.project_id, r.group_id, r.rule_id, r.action, r.failed)
            for r in rows]


def _ssh(tmp_path):
    """A restrict of the SSH rules (ssh4, ssh6) of group g1, its backup."""
    cloud, before, path = base._restricted(tmp_path, checks=[base.SSH])
    return cloud, before, base._load(path), path


def _ids(cloud):
    return {r['id'] for r in cloud.data['security-group-rules']}


def test_restore_rows_in_full_then_a_rerun_and_a_dry_run(tmp_path):
    cloud, before, data, path = _ssh(tmp_path)
    dry = restrict_restore.restore(cloud, data, path, dry_run=True)
    # ssh4's replacement (10.0.0.0/8) was there already: ssh-mgmt, found,
    # not created; ssh6's was created
    assert _rows(dry) == [
        ('pa', 'g1', 'ssh4', 'would restore; would delete 0 restricted '
         'rule(s)', False),
        ('pa', 'g1', 'ssh6', 'would restore; would delete 1 restricted '
         'rule(s)', False)]
    rows = restrict_restore.restore(cloud, data, path)
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'restored; 0 restricted rule(s) deleted',
         False),
        ('pa', 'g1', 'ssh6', 'restored; 1 restricted rule(s) deleted',
         False)]
    assert base._shapes(cloud) == before and 'ssh-mgmt' in _ids(cloud)
    again = restrict_restore.restore(cloud, data, path)
    assert _rows(again) == [
        ('pa', 'g1', 'ssh4', 'already present; 0 restricted rule(s) '
         'deleted', False),
        ('pa', 'g1', 'ssh6', 'already present; 0 restricted rule(s) '
         'deleted (1 already gone)', False)]
    assert _rows(restrict_restore.restore(cloud, data, path,
                                          dry_run=True))[1] == (
        'pa', 'g1', 'ssh6', 'already present; would delete 1 restricted '
        'rule(s)', False)


def test_a_rule_of_another_projects_group_is_reported_in_the_groups(
        tmp_path):
    # an admin's rule in project pa's group carries the admin's project
    cloud = base._cloud([base._rule('ssh4', project_id='admin-project')])
    p = base._plan_of(cloud, [base.SSH])
    path = str(tmp_path / 'b.json')
    base.restrict.apply(cloud, p, path, base.NOW)
    [row] = restrict_restore.restore(cloud, base._load(path), path)
    assert (row.project_id, row.action, row.failed) == (
        'pa', 'restored; 1 restricted rule(s) deleted', False)


def test_a_vanished_group_fails_its_rows(tmp_path):
    cloud, _, data, path = _ssh(tmp_path)
    cloud.data['security-groups'] = [
        g for g in cloud.data['security-groups'] if g['id'] != 'g1']
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules']
        if r['security_group_id'] != 'g1']
    rows = restrict_restore.restore(cloud, data, path)
    assert _rows(rows) == [
        ('pa', 'g1', rid, 'failed: security group g1 no longer exists',
         True) for rid in ('ssh4', 'ssh6')]


def test_a_create_that_fails_keeps_the_restricted_rules(tmp_path):
    cloud, _, data, path = _ssh(tmp_path)
    kept = _ids(cloud)
    cloud.deny.add(('POST', '/security-group-rules'))
    rows = restrict_restore.restore(cloud, data, path)
    assert all(r.failed and r.action.startswith('failed: ') and
               r.action.endswith('; the restricted rules are kept')
               for r in rows), _rows(rows)
    assert _ids(cloud) == kept


def test_a_delete_that_fails_names_the_rule_it_kept(tmp_path):
    cloud, _, data, path = _ssh(tmp_path)
    [made] = [m['id'] for m in data['rules'][1]['replacements']
              if m['created']]
    cloud.deny.add(('DELETE', '/security-group-rules/' + made))
    rows = restrict_restore.restore(cloud, data, path)
    assert rows[1].failed is True and rows[1].action.startswith('failed: ')
    assert rows[1].action.endswith('; the rule is back, the restricted '
                                   'rule %s is kept' % made)
    assert made in _ids(cloud)


def _count(tmp_path):
    cloud, _, data, path = _ssh(tmp_path)
    return faults.count_requests(
        lambda c: restrict_restore.restore(c, data, path), cloud)


@pytest.mark.parametrize('kind', faults.KINDS)
def test_rows_agree_with_the_rules_under_every_fault(kind, tmp_path):
    for at in range(1, _count(tmp_path / 'count') + 1):
        cloud, before, data, path = _ssh(tmp_path / ('%d' % at))
        try:
            rows = restrict_restore.restore(
                faults.FaultyClient(cloud, kind, at), data, path)
        except restrict_restore.restrict.RestrictError:
            continue          # refused before any change (a read failed)
        shapes = base._shapes(cloud)
        for r in rows:
            back = any(s[:4] == ('g1', r.rule['ethertype'], 22,
                                 r.rule['remote_ip_prefix']) for s in shapes)
            if not r.failed:
                assert back, (kind, at, _rows(rows))
                assert r.action.startswith(('restored', 'already present'))
        if not any(r.failed for r in rows):
            assert shapes == before, (kind, at, _rows(rows))
