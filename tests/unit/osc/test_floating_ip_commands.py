"""floating ip harden release / restore as cliff runs them."""

import json
import shlex

from tests.unit.clouds import FakeKeystone
from tests.unit.harden import fip_release_cases as base
from tests.unit.osc import harness
from xloudclient.osc import floating_ip_commands as commands


def _cloud():
    cloud = base._cloud()
    cloud.keystone = FakeKeystone(('p1', 'p2', 'pid'))
    return cloud


def _release(cloud, *argv):
    return harness.run(commands.ReleaseFloatingIps,
                       ['--all-projects'] + list(argv), cloud)


def test_the_plan_then_a_dry_run_changes_nothing():
    cloud = _cloud()
    before = base._addresses(cloud)
    result = _release(cloud, '--dry-run', '-f', 'table')
    assert result.code == 0
    header = result.out.splitlines()[1]
    assert [c.strip() for c in header.strip('|').split('|')] == [
        'Floating IP', 'Project', 'Action']
    assert 'plan: 2 unassociated floating IPs to release in 2 projects' in \
        result.err
    assert base._addresses(cloud) == before


def test_release_writes_the_backup_first_and_names_the_restore(tmp_path):
    cloud = _cloud()
    backup = tmp_path / 'b.json'
    result = _release(cloud, '--backup', str(backup), '-f', 'json')
    assert result.code == 0, result.error
    rows = json.loads(result.out)
    assert [(r['ID'], r['Action']) for r in rows] == [
        ('f1', 'released'), ('f3', 'released')]
    assert 'restore with `openstack floating ip harden restore %s`' % \
        backup in result.err
    restored = harness.run(commands.RestoreFloatingIps,
                           [str(backup), '-f', 'json'], cloud)
    assert [r['Action'] for r in json.loads(restored.out)] == [
        'restored', 'restored']
    assert [r['ID'] for r in json.loads(restored.out)] == ['f1', 'f3']


def test_a_failed_release_exits_1_naming_the_finish(tmp_path):
    cloud = _cloud()
    cloud.deny.add(('DELETE', '/floatingips/f3'))
    result = _release(cloud, '--backup', str(tmp_path / 'b.json'))
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]
    assert last.startswith('1 of 2 floating IPs failed to release '
                           '(203.0.113.3: failed: ')
    assert last.endswith('finish with `openstack floating ip harden '
                         'release --project p2 f3`')
    assert [f['id'] for f in cloud.data['floatingips']] == ['f2', 'f3']
    # the line finishes it: f3 is in another project than the caller's
    cloud.deny.clear()
    finish = shlex.split(last[last.index('`') + 1:-1])
    done = harness.run(commands.ReleaseFloatingIps, finish[5:] + [
        '--backup', str(tmp_path / 'c.json')], cloud)
    assert done.code == 0, done.err
    assert [f['id'] for f in cloud.data['floatingips']] == ['f2']


def test_bad_unused_for_is_one_line_and_changes_nothing():
    cloud = _cloud()
    before = base._addresses(cloud)
    result = _release(cloud, '--unused-for', '-1')
    assert result.code == 1 and 'from 0 to 36500' in str(result.error)
    assert base._addresses(cloud) == before
