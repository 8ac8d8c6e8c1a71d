"""`security group harden default/restore` as commands: the backup comes
first, a failed backup stops everything, refusals are up front."""

import os

from tests.unit.harden.default_group_cases import _cloud
from tests.unit.osc import harness
from xloudclient.osc import default_group_commands


def _harden(*argv, cloud=None, roles=('admin',)):
    cloud = cloud or _cloud()
    return harness.run(default_group_commands.HardenDefault,
                       ['--project', 'a'] + list(argv), cloud,
                       auth_ref=harness.auth(roles=roles,
                                             project_id='a')), cloud


def test_the_backup_is_on_disk_before_the_first_delete(tmp_path):
    cloud = _cloud()
    path = str(tmp_path / 'b.json')
    real_delete = cloud.delete
    seen = []

    def delete(url, **kw):
        seen.append(os.path.exists(path))
        return real_delete(url, **kw)
    cloud.delete = delete
    result, _ = _harden('--backup', path, cloud=cloud)
    assert result.code == 0, result.err
    assert seen == [True, True]


def test_no_delete_when_the_backup_cannot_be_written(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    result, cloud = _harden('--backup', str(blocker / 'b.json'))
    assert result.code == 1 and 'nothing was deleted' in str(result.error)
    assert not [m for m, _ in cloud.log if m == 'DELETE']


def test_template_needs_admin_before_anything_is_read(tmp_path):
    result, cloud = _harden('--template', '--backup',
                            str(tmp_path / 'b.json'), roles=('member',))
    assert result.code == 1 and '--template needs the admin role' in str(
        result.error)
    assert cloud.log == []


def test_partial_failure_names_the_project_and_the_command(tmp_path):
    cloud = _cloud()
    cloud.deny.add(('DELETE', '/security-group-rules/a4'))
    result, _ = _harden('--backup', str(tmp_path / 'b.json'), cloud=cloud)
    assert result.code == 1
    assert ('1 of 1 projects failed: a' in result.err and
            '`openstack security group harden default --project a`'
            in result.err)


def test_template_on_a_cloud_without_the_template_api_changes_nothing(
        tmp_path):
    # Neutron before 2023.2 has no default-security-group-rules API: the
    # refusal comes before the projects' rules are deleted, not after.
    cloud = _cloud()
    cloud.extensions.remove('security-groups-default-rules')
    path = tmp_path / 'b.json'
    result, _ = _harden('--template', '--backup', str(path), cloud=cloud)
    assert result.code == 1
    assert 'lacks the security-groups-default-rules extension' in str(
        result.error) and 'nothing was changed' in str(result.error)
    assert [m for m, _ in cloud.log if m != 'GET'] == []
    assert not path.exists()
