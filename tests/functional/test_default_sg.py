"""security group harden default / restore, through the real CLI.

Runs against `demo` and two more projects created here. Every test leaves
the rule sets and the rule template equivalent to how it found them.
"""

import json
import os
import uuid

import pytest

from tests.functional.conftest import CLI

EQUIV = ('direction', 'ethertype', 'protocol', 'port_range_min',
         'port_range_max', 'remote_group_id', 'remote_ip_prefix',
         'description')


@pytest.fixture(scope='module')
def projects(devcloud):
    admin = CLI(os.path.join(devcloud, 'admin-openrc.sh'))
    made = []
    names = ['demo']
    for i in range(2):
        name = 'xlh-%s-%d' % (uuid.uuid4().hex[:6], i)
        made.append(admin.json('project', 'create', name)['id'])
        names.append(name)
    groups = {}
    for name in names:
        [group] = [g for g in admin.json('security', 'group', 'list',
                                         '--project', name)
                   if g['Name'] == 'default']
        groups[name] = group['ID']
        # A rule that hardening must leave alone.
        admin.run('security', 'group', 'rule', 'create', group['ID'],
                  '--protocol', 'tcp', '--dst-port', '22', '--remote-ip',
                  '10.0.0.0/8', '--description', 'admins ssh')
    yield {'admin': admin, 'names': names, 'groups': groups}
    for name in names:
        rules = admin.json('security', 'group', 'show',
                           groups[name])['rules']
        extra = [r['id'] for r in rules if r.get('description') ==
                 'admins ssh']
        if extra:
            admin.run('security', 'group', 'rule', 'delete', *extra,
                      check=False)
    for project in made:
        admin.run('security', 'group', 'delete', *[
            g['ID'] for g in admin.json('security', 'group', 'list',
                                        '--project', project)], check=False)
        admin.run('project', 'delete', project, check=False)


def _rules(admin, group):
    return admin.json('security', 'group', 'show', group)['rules']


def _snapshot(projects):
    return {name: json.dumps(sorted(_rules(projects['admin'], g),
                                    key=lambda r: r['id']), sort_keys=True)
            for name, g in projects['groups'].items()}


def _equivalent(rules):
    # Neutron stores a rule created without a description as null and one
    # created through the API as '': both are "no description".
    return sorted(tuple(str(r.get(k) or '') if k == 'description'
                        else str(r.get(k)) for k in EQUIV) for r in rules)


def _harden(admin, projects, *extra, check=True):
    args = ['security', 'group', 'harden', 'default']
    for name in projects['names']:
        args += ['--project', name]
    return admin.run(*(args + list(extra) + ['-f', 'json']), check=check)


def _same_group(rules, group):
    return [r for r in rules if r['direction'] == 'ingress'
            and r['remote_group_id'] == group and r['protocol'] is None]


def test_dry_run_changes_nothing(projects):
    before = _snapshot(projects)
    proc = _harden(projects['admin'], projects, '--dry-run')
    rows = json.loads(proc.stdout)
    assert {r['Action'] for r in rows} == {'would delete'}
    assert len(rows) == 2 * len(projects['names'])
    assert 'plan:' in proc.stderr
    assert _snapshot(projects) == before


def test_harden_then_restore_round_trip(projects, tmp_path):
    admin = projects['admin']
    before = {n: _rules(admin, g) for n, g in projects['groups'].items()}
    backup = tmp_path / 'backup.json'
    try:
        _check_harden(admin, projects, before, backup)
    finally:
        if backup.exists():
            admin.run('security', 'group', 'harden', 'restore', str(backup))
    for name, group in projects['groups'].items():
        assert _equivalent(_rules(admin, group)) == _equivalent(
            before[name])
        restored = _same_group(_rules(admin, group), group)
        # put back in the project they were in (not whichever rule of the
        # group a database lists first)
        assert {r['project_id'] for r in restored} == {
            r['project_id'] for r in _same_group(before[name], group)}
    rows = admin.json('security', 'group', 'harden', 'restore', str(backup))
    assert {r['Action'] for r in rows} == {'already present'}


def _check_harden(admin, projects, before, backup):
    proc = _harden(admin, projects, '--backup', str(backup))
    rows = json.loads(proc.stdout)
    deleted = {r['Rule'] for r in rows if r['Action'] == 'deleted'}
    assert str(backup) in proc.stderr and backup.exists()
    for name, group in projects['groups'].items():
        planned = {r['id'] for r in _same_group(before[name], group)}
        assert len(planned) == 2 and planned <= deleted
        after = _rules(admin, group)
        # exactly the planned rules are gone; the rest is untouched
        assert sorted(r['id'] for r in after) == sorted(
            r['id'] for r in before[name] if r['id'] not in planned)
        assert json.dumps(sorted(after, key=lambda r: r['id']),
                          sort_keys=True) == json.dumps(
            sorted([r for r in before[name] if r['id'] not in planned],
                   key=lambda r: r['id']), sort_keys=True)
    rows = json.loads(_harden(admin, projects).stdout)
    assert {r['Action'] for r in rows} == {'unchanged (already hardened)'}
    rows = admin.json('security', 'group', 'harden', 'restore', '--dry-run',
                      str(backup))
    assert {r['Action'] for r in rows} == {'would restore'}


def _new_project_default_group(admin, cleanup):
    """Create a project; its default group (as Neutron makes it now)."""
    project = admin.json('project', 'create',
                         'xlh-new-%s' % uuid.uuid4().hex[:6])['id']
    cleanup.append((admin, 'project', 'delete', project))
    [group] = [g['ID'] for g in admin.json(
        'security', 'group', 'list', '--project', project)
        if g['Name'] == 'default']
    cleanup.insert(0, (admin, 'security', 'group', 'delete', group))
    return group


def test_template_hardens_future_projects(projects, tmp_path, cleanup):
    admin = projects['admin']
    backup = tmp_path / 'template.json'
    proc = admin.run('security', 'group', 'harden', 'default', '--project',
                     projects['names'][1], '--template', '--backup',
                     str(backup), '-f', 'json')
    rows = json.loads(proc.stdout)
    assert sum(r['Rule'].startswith('template:') for r in rows) == 2
    try:
        group = _new_project_default_group(admin, cleanup)
        rules = _rules(admin, group)
        assert _same_group(rules, group) == []
        assert {r['direction'] for r in rules} == {'egress'}
    finally:
        restored = admin.json('security', 'group', 'harden', 'restore',
                              str(backup))
    assert all(r['Action'].startswith('restored') for r in restored)
    group = _new_project_default_group(admin, cleanup)
    assert len(_same_group(_rules(admin, group), group)) == 2


def test_member_hardens_only_its_own_project(projects, demo, tmp_path):
    before = _snapshot(projects)
    for args in (['--all-projects'], ['--project', projects['names'][1]]):
        proc = demo.run('security', 'group', 'harden', 'default', *args,
                        check=False)
        assert proc.returncode != 0
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert proc.stdout == ''
    assert _snapshot(projects) == before
    backup = tmp_path / 'demo.json'
    rows = demo.json('security', 'group', 'harden', 'default', '--backup',
                     str(backup))
    assert [r['Action'] for r in rows] == ['deleted', 'deleted']
    group = projects['groups']['demo']
    assert _same_group(_rules(projects['admin'], group), group) == []
    rows = demo.json('security', 'group', 'harden', 'restore', str(backup))
    assert all(r['Action'].startswith('restored') for r in rows)
    assert len(_same_group(_rules(projects['admin'], group), group)) == 2


def test_foreign_backup_is_refused(demo, tmp_path):
    path = tmp_path / 'foreign.json'
    path.write_text(json.dumps([{'Check': 'x', 'Resource ID': 'y'}]))
    proc = demo.run('security', 'group', 'harden', 'restore', str(path),
                    check=False)
    assert proc.returncode == 1
    assert 'not an xloudclient' in proc.stderr


def _templates(admin):
    """The cloud's templates as shapes (IDs change on a restore)."""
    return sorted(json.dumps({k: v for k, v in t.items() if k != 'ID'},
                             sort_keys=True)
                  for t in admin.json('default', 'security', 'group', 'rule',
                                      'list'))


def test_harden_template_round_trip(projects, demo, tmp_path, cleanup):
    """A template opening SSH to the world is planned, backed up and
    deleted (a bastion one and Neutron's own stay); a project created then
    gets no such rule; a member is refused, changing nothing; the restore
    puts it back and a project created after it gets the rule again."""
    admin = projects['admin']
    before = _templates(admin)
    made = [admin.json('default', 'security', 'group', 'rule', 'create',
                       '--protocol', 'tcp', '--dst-port', '22',
                       '--remote-ip', prefix, '--for-default-sg')['id']
            for prefix in ('0.0.0.0/0', '192.0.2.0/24')]
    backup = tmp_path / 'templates.json'
    try:
        planted = _templates(admin)
        proc = demo.run('security', 'group', 'harden', 'template',
                        check=False)
        assert proc.returncode == 1 and 'needs the admin role' in \
            proc.stderr.strip().splitlines()[-1]
        rows = admin.json('security', 'group', 'harden', 'template',
                          '--dry-run')
        assert [(r['Template'], r['Action']) for r in rows] == [
            (made[0], 'would delete')]
        assert _templates(admin) == planted and not backup.exists()
        proc = admin.run('security', 'group', 'harden', 'template',
                         '--backup', str(backup), '-f', 'json')
        assert [(r['Template'], r['Used In'], r['Action']) for r in
                json.loads(proc.stdout)] == [
            (made[0], 'new default groups', 'deleted')]
        assert 'open to anywhere for ssh' in proc.stderr
        ids = [t['ID'] for t in admin.json('default', 'security', 'group',
                                           'rule', 'list')]
        assert made[0] not in ids and made[1] in ids
        group = _new_project_default_group(admin, cleanup)
        assert not [r for r in _rules(admin, group)
                    if r['remote_ip_prefix'] == '0.0.0.0/0' and
                    r['direction'] == 'ingress']
        rows = admin.json('security', 'group', 'harden', 'restore',
                          str(backup))
        assert [r['Action'][:12] for r in rows] == ['restored as ']
        assert _templates(admin) == planted
        group = _new_project_default_group(admin, cleanup)
        assert [r['port_range_min'] for r in _rules(admin, group)
                if r['remote_ip_prefix'] == '0.0.0.0/0' and
                r['direction'] == 'ingress'] == [22]
    finally:
        for template in admin.json('default', 'security', 'group', 'rule',
                                   'list'):
            if template['Port Range'] == '22:22':
                admin.run('default', 'security', 'group', 'rule', 'delete',
                          template['ID'], check=False)
    assert _templates(admin) == before
