"""`security group harden template` as a command: admin first, the backup
before the first delete, no delete without it, failures named with the
command that finishes them."""

import json
import os

from tests.unit.clouds import FakeNeutron
from tests.unit.osc import harness
from xloudclient.osc import default_rule_commands

TEMPLATES = 'default-security-group-rules'


def _cloud():
    def entry(tid, port):
        return {'id': tid, 'direction': 'ingress', 'ethertype': 'IPv4',
                'protocol': 'tcp', 'port_range_min': port,
                'port_range_max': port, 'remote_ip_prefix': '0.0.0.0/0',
                'remote_group_id': None, 'remote_address_group_id': None,
                'description': '', 'used_in_default_sg': True,
                'used_in_non_default_sg': True}
    return FakeNeutron(
        extensions=['security-group', 'security-groups-default-rules'],
        default_security_group_rules=[entry('ssh', 22), entry('db', 5432),
                                      entry('web', 443)])


def _run(*argv, cloud=None, roles=('admin',)):
    cloud = cloud or _cloud()
    return harness.run(default_rule_commands.HardenTemplates,
                       ['-f', 'json'] + list(argv), cloud,
                       auth_ref=harness.auth(roles=roles)), cloud


def _rows(result):
    return json.loads(result.out)


def _deletes(cloud):
    return [p for m, p in cloud.log if m == 'DELETE']


def test_needs_admin_before_anything_is_read():
    result, cloud = _run(roles=('member',))
    assert result.code == 1 and 'needs the admin role' in str(result.error)
    assert cloud.log == []


def test_the_backup_is_on_disk_before_the_first_delete(tmp_path):
    cloud = _cloud()
    path = str(tmp_path / 'b.json')
    real_delete, seen = cloud.delete, []

    def delete(url, **kw):
        seen.append(os.path.exists(path))
        return real_delete(url, **kw)
    cloud.delete = delete
    result, _ = _run('--backup', path, cloud=cloud)
    assert result.code == 0, result.err
    assert seen == [True, True]
    assert sorted(t['id'] for t in cloud.data[TEMPLATES]) == ['web']
    assert [r['Template'] for r in _rows(result)] == ['db', 'ssh']
    assert 'plan: 2 template(s) to delete' in result.err


def test_no_delete_when_the_backup_cannot_be_written(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    result, cloud = _run('--backup', str(blocker / 'b.json'))
    assert result.code == 1 and 'nothing was deleted' in str(result.error)
    assert _deletes(cloud) == []


def test_dry_run_writes_and_deletes_nothing(tmp_path):
    result, cloud = _run('--dry-run', '--backup', str(tmp_path / 'b.json'))
    assert result.code == 0
    assert [r['Action'] for r in _rows(result)] == ['would delete'] * 2
    assert _deletes(cloud) == [] and not os.listdir(tmp_path)


def test_partial_failure_names_the_command_that_finishes(tmp_path):
    cloud = _cloud()
    cloud.deny.add(('DELETE', '/%s/ssh' % TEMPLATES))
    result, _ = _run('--backup', str(tmp_path / 'b.json'), cloud=cloud)
    assert result.code == 1
    assert ('1 of 2 templates failed to delete: ssh (see the Action column);'
            ' finish with `openstack security group harden template ssh`'
            in result.err)


def test_nothing_to_harden_says_so_and_writes_nothing(tmp_path):
    cloud = _cloud()
    cloud.data[TEMPLATES] = [t for t in cloud.data[TEMPLATES]
                             if t['id'] == 'web']
    result, _ = _run('--backup', str(tmp_path / 'b.json'), cloud=cloud)
    assert result.code == 0 and _rows(result) == []
    assert 'nothing to harden' in result.err and not os.listdir(tmp_path)
