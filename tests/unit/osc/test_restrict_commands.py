"""security group harden restrict / restore as cliff runs them."""

import json

from tests.unit.clouds import FakeKeystone
from tests.unit.harden import restrict_cases as base
from tests.unit.osc import harness
from xloudclient.osc import default_group_commands
from xloudclient.osc import restrict_commands as commands

SSH = 'sg-ingress-ssh-from-world'


def _cloud():
    cloud = base._cloud()
    cloud.keystone = FakeKeystone(('pa', 'pb', 'pc', 'pid'))
    return cloud


def _restrict(cloud, *argv):
    return harness.run(commands.RestrictRules,
                       ['--all-projects'] + list(argv), cloud)


def test_the_plan_says_the_blast_radius_and_a_dry_run_changes_nothing():
    cloud = base._cloud()
    cloud.data['ports'] = [
        {'id': 'p1', 'project_id': 'pa', 'security_groups': ['g1']},
        {'id': 'p2', 'project_id': 'pc', 'security_groups': ['g1']}]
    cloud.keystone = FakeKeystone(('pa', 'pb', 'pc', 'pid'))
    before = base._shapes(cloud)
    result = _restrict(cloud, '--check', SSH, '--to', '10.0.0.0/8', '--to',
                       'fd00::/8', '--dry-run', '-f', 'table')
    assert result.code == 0, result.error
    header = result.out.splitlines()[1]
    assert [c.strip() for c in header.strip('|').split('|')] == [
        'Project', 'Security Group', 'Rule', 'Action']
    assert ('plan: group web (project pa): 2 rule(s) replaced; 2 port(s) '
            'in 2 project(s) (pa, pc) lose IPv4 tcp port 22; IPv6 tcp port '
            '22 from anywhere; keep it from 10.0.0.0/8, fd00::/8'
            in result.err)
    assert 'plan: 2 rule(s) to restrict in 1 group(s)' in result.err
    assert base._shapes(cloud) == before


def test_restrict_then_restore_through_harden_restore(tmp_path):
    cloud = _cloud()
    before = base._shapes(cloud)
    backup = tmp_path / 'b.json'
    result = _restrict(cloud, '--check', SSH, '--to', '10.0.0.0/8', '--to',
                       'fd00::/8', '--backup', str(backup), '-f', 'json')
    assert result.code == 0, result.error
    rows = json.loads(result.out)
    assert [(r['Rule ID'], r['Action']) for r in rows] == [
        ('ssh4', 'replaced'), ('ssh6', 'replaced')]
    assert 'restore with `openstack security group harden restore %s`' % \
        backup in result.err
    restored = harness.run(default_group_commands.RestoreDefault,
                           [str(backup), '-f', 'json'], cloud)
    assert restored.code == 0, restored.error
    assert [r['Rule ID'] for r in json.loads(restored.out)] == [
        'ssh4', 'ssh6']
    assert base._shapes(cloud) == before


def test_a_failed_replacement_exits_1_naming_the_finish(tmp_path):
    cloud = _cloud()
    cloud.deny.add(('POST', '/security-group-rules'))
    result = _restrict(cloud, 'ssh6', '--to', 'fd00::/8', '--backup',
                       str(tmp_path / 'b.json'))
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]
    assert last.startswith('1 of 1 rules failed to restrict (ssh6: failed')
    assert last.endswith('finish with `openstack security group harden '
                         'restrict --to fd00::/8 --project pa ssh6`')


def test_without_a_selection_or_a_source_it_is_one_line():
    cloud = _cloud()
    before = base._shapes(cloud)
    result = _restrict(cloud, '--to', '10.0.0.0/8')
    assert result.code == 1
    assert 'name the rules to restrict' in str(result.error)
    result = _restrict(cloud, '--check', SSH, '--to', 'nonsense')
    assert result.code == 1 and 'is not an IPv4 or IPv6 prefix' in str(
        result.error)
    assert cloud.log == [] or all(m == 'GET' for m, _ in cloud.log)
    assert base._shapes(cloud) == before


def test_unverifiable_decisions_change_nothing():
    cloud = _cloud()
    cloud.keystone = None           # Keystone cannot be read
    before = base._shapes(cloud)
    result = _restrict(cloud, '--check', SSH, '--to', '10.0.0.0/8', '--to',
                       'fd00::/8')
    assert result.code == 1
    assert 'cannot verify accepted findings' in str(result.error)
    assert base._shapes(cloud) == before
