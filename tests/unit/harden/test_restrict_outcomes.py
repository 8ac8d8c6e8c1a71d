"""What a restrict's restore reports, row by row and in full: restored,
already present, would restore, a vanished group, a create or a delete
that fails; and under every fault at every request, rows that agree with
the rules left."""

import pytest

from tests.unit import faults
from tests.unit.harden import restrict_cases as base
from xloudclient.harden import restrict_restore
from xloudclient import harden


def _rows(rows):
    return [(r.project_id, r.group_id, r.item, r.action, r.failed)
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
        'pa', 'g1', 'ssh6', 'already present; would delete 0 restricted '
        'rule(s) (1 already gone)', False)


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
        except harden.Refused:
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


# --- what restore deletes, and what it finds removed meanwhile ----------

def _made_of(data, entry=1):
    return [m['id'] for m in data['rules'][entry]['replacements']
            if m['created']]


def test_a_changed_backup_naming_another_groups_rule_deletes_nothing_there(
        tmp_path):
    """A replacement ID the rule's group does not hold is gone, even when
    a changed backup (digest recomputed) names a rule of another group:
    that rule is never deleted."""
    cloud, _, path = base._restricted(tmp_path, [base.SSH])
    base._edited(path, lambda d: d['rules'][0]['replacements'].append(
        {'id': 'pg', 'created': True, 'remote_ip_prefix': '10.0.0.0/8'}))
    data = base._load(path)
    dry = restrict_restore.restore(cloud, data, path, dry_run=True)
    assert _rows(dry)[0] == ('pa', 'g1', 'ssh4', 'would restore; would '
                             'delete 0 restricted rule(s) (1 already gone)',
                             False)
    rows = restrict_restore.restore(cloud, data, path)
    assert _rows(rows)[0] == ('pa', 'g1', 'ssh4', 'restored; 0 restricted '
                              'rule(s) deleted (1 already gone)', False)
    assert 'pg' in _ids(cloud)
    assert ('DELETE', '/security-group-rules/pg') not in cloud.log


def test_an_emptied_group_gets_its_rules_back(tmp_path):
    cloud, before, data, path = _ssh(tmp_path)
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules']
        if r['security_group_id'] != 'g1']
    rows = restrict_restore.restore(cloud, data, path)
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'restored; 0 restricted rule(s) deleted',
         False),
        ('pa', 'g1', 'ssh6', 'restored; 0 restricted rule(s) deleted '
         '(1 already gone)', False)]
    assert {(s[1], s[3]) for s in base._shapes(cloud) if s[0] == 'g1'} == {
        ('IPv4', '0.0.0.0/0'), ('IPv6', '::/0')}


def _two_sources(tmp_path):
    """One world-open rule restricted to two prefixes (two replacements,
    both created), its backup."""
    cloud = base._cloud([base._rule('ssh4')])
    p = base._plan_of(cloud, [base.SSH], base.restrict.prefix_sources(
        ['10.0.0.0/8', '192.168.0.0/16']))
    path = str(tmp_path / 'b.json')
    base.restrict.apply(cloud, p, path, base.NOW)
    data = base._load(path)
    return cloud, data, path, _made_of(data, 0)


def test_a_replacement_deleted_meanwhile_counts_as_gone(tmp_path):
    cloud, data, path, (first, second) = _two_sources(tmp_path)
    real = cloud.delete

    def delete(url, **kw):
        resp = real(url, **kw)
        if url.endswith('/' + first):   # someone deletes the second now
            cloud.data['security-group-rules'] = [
                r for r in cloud.data['security-group-rules']
                if r['id'] != second]
        return resp
    cloud.delete = delete
    [row] = restrict_restore.restore(cloud, data, path)
    assert _rows([row]) == [('pa', 'g1', 'ssh4', 'restored; 1 restricted '
                             'rule(s) deleted (1 already gone)', False)]


def test_a_refused_delete_names_the_rule_it_kept_in_full(tmp_path):
    cloud, data, path, (first, second) = _two_sources(tmp_path)
    cloud.deny.add(('DELETE', '/security-group-rules/' + second))
    [row] = restrict_restore.restore(cloud, data, path)
    assert _rows([row]) == [(
        'pa', 'g1', 'ssh4', 'failed: deleting restricted rule %s: '
        'rule:delete denied; the rule is back, the restricted rule %s is '
        'kept' % (second, second), True)]
    assert first not in _ids(cloud) and second in _ids(cloud)


def test_a_refused_create_in_full(tmp_path):
    cloud, _, data, path = _ssh(tmp_path)
    cloud.deny.add(('POST', '/security-group-rules'))
    rows = restrict_restore.restore(cloud, data, path)
    assert _rows(rows) == [
        ('pa', 'g1', rid, 'failed: creating the restricted rule: denied; '
         'the restricted rules are kept', True) for rid in ('ssh4', 'ssh6')]


def test_a_create_whose_answer_was_lost_is_restored(tmp_path):
    cloud, before, data, path = _ssh(tmp_path)
    real, posts = cloud.post, []

    def post(url, **kw):
        resp = real(url, **kw)
        posts.append(url)
        if len(posts) == 1:         # it landed; the answer is lost
            return faults.FakeResponse(500, {'NeutronError': {
                'message': 'lost'}})
        return resp
    cloud.post = post
    rows = restrict_restore.restore(cloud, data, path)
    assert [(r.action, r.failed) for r in rows] == [
        ('restored; 0 restricted rule(s) deleted', False),
        ('restored; 1 restricted rule(s) deleted', False)]
    assert base._shapes(cloud) == before


def _lose_after_deleting(cloud, made, then=None):
    """After Neutron deletes made, a concurrent restrict deletes the
    IPv4 SSH rule just put back (and then() runs)."""
    real = cloud.delete

    def delete(url, **kw):
        resp = real(url, **kw)
        if url.endswith('/' + made):
            cloud.data['security-group-rules'] = [
                r for r in cloud.data['security-group-rules']
                if r.get('remote_ip_prefix') != '0.0.0.0/0' or
                r.get('port_range_min') != 22]
            if then:
                then()
        return resp
    cloud.delete = delete


@pytest.mark.parametrize('refuse, ssh4', [
    (False, ('restored; 0 restricted rule(s) deleted; created again '
             '(removed meanwhile)', False)),
    (True, ('failed: removed meanwhile and not created again (creating '
            'the restricted rule: denied)', True))])
def test_an_original_removed_meanwhile_is_created_again_on_its_row(
        tmp_path, refuse, ssh4):
    cloud, before, data, path = _ssh(tmp_path)
    _lose_after_deleting(cloud, _made_of(data)[0], lambda: refuse and (
        cloud.deny.add(('POST', '/security-group-rules'))))
    rows = restrict_restore.restore(cloud, data, path)
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4') + ssh4,
        ('pa', 'g1', 'ssh6', 'restored; 1 restricted rule(s) deleted',
         False)]
    assert (base._shapes(cloud) == before) is not refuse


def test_a_read_back_that_fails_in_full(tmp_path):
    cloud, _, data, path = _ssh(tmp_path)
    _lose_after_deleting(cloud, _made_of(data)[0], lambda: cloud.fail.update(
        {'/security-group-rules': 403}))
    rows = restrict_restore.restore(cloud, data, path)
    why = '; not read back (listing rules of security group g1: injected)'
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'restored; 0 restricted rule(s) deleted' + why,
         True),
        ('pa', 'g1', 'ssh6', 'restored; 1 restricted rule(s) deleted' + why,
         True)]


def test_a_rule_without_a_project_goes_back_into_its_groups(tmp_path):
    cloud = base._cloud([base._rule('ssh4', project_id=None)])
    p = base._plan_of(cloud, [base.SSH])
    path = str(tmp_path / 'b.json')
    base.restrict.apply(cloud, p, path, base.NOW)
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules']
        if r['security_group_id'] != 'g1']         # and gone meanwhile
    [row] = restrict_restore.restore(cloud, base._load(path), path)
    assert (row.project_id, row.failed) == ('pa', False)
    [back] = cloud.data['security-group-rules']
    assert (back['remote_ip_prefix'], back['project_id']) == (
        '0.0.0.0/0', 'pa')


def test_the_original_keeps_its_own_project_or_takes_its_groups():
    rule = base._rule('r', project_id='admin-project')
    assert restrict_restore.original_body(rule, {'project_id': 'pa'})[
        'project_id'] == 'admin-project'
    assert restrict_restore.original_body(
        dict(rule, project_id=None), {'project_id': 'pa'})[
            'project_id'] == 'pa'
