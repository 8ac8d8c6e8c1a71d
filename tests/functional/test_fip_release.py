"""floating ip harden release / restore, through the real CLI.

Works in a project of its own (floating IPs from the devcloud's `public`
network) so that the all-projects runs here release nothing of other
tests'; every test leaves the project's floating IPs as it found them.
"""

import json
import os
import uuid

import pytest

from tests.functional.conftest import CLI


@pytest.fixture(scope='module')
def place(devcloud):
    admin = CLI(os.path.join(devcloud, 'admin-openrc.sh'))
    name = 'xlr-%s' % uuid.uuid4().hex[:6]
    project = admin.json('project', 'create', name)['id']
    yield {'admin': admin, 'project': project, 'name': name}
    for fip in _fips(admin, project):
        admin.run('floating', 'ip', 'delete', fip['id'], check=False)
    admin.run('project', 'delete', project, check=False)


def _fips(admin, project):
    return admin.json('floating', 'ip', 'list', '--project', project,
                      '--long')


def _allocate(place, description, tags=()):
    admin = place['admin']
    args = ['floating', 'ip', 'create', 'public', '--project',
            place['project'], '--description', description]
    for tag in tags:
        args += ['--tag', tag]
    return admin.json(*args)


def _listing(place):
    """What a restore must give back: address, project, description,
    tags and whether a port holds it."""
    return sorted((f['Floating IP Address'], f['Project'],
                   f.get('Description') or '', tuple(sorted(
                       f.get('Tags') or ())), bool(f.get('Port')))
                  for f in _fips(place['admin'], place['project']))


def _release(place, *extra, check=True):
    return place['admin'].run('floating', 'ip', 'harden', 'release',
                              '--project', place['project'], '-f', 'json',
                              *extra, check=check)


def _audit_unassociated(place):
    proc = place['admin'].run('network', 'harden', 'audit', '--project',
                              place['project'], '--check',
                              'fip-unassociated', '-f', 'json', check=False)
    return sorted(r['Resource ID'] for r in json.loads(proc.stdout))


def test_dry_run_release_audit_clean_restore_exact(place, tmp_path):
    one = _allocate(place, 'web front', ['dns:www'])
    two = _allocate(place, 'old mail')
    before = _listing(place)
    assert _audit_unassociated(place) == sorted([one['id'], two['id']])
    dry = _release(place, '--dry-run')
    assert {r['Action'] for r in json.loads(dry.stdout)} == {
        'would release'}
    assert 'plan: 2 unassociated floating IPs to release' in dry.stderr
    assert _listing(place) == before
    backup = str(tmp_path / 'f.json')
    done = _release(place, '--backup', backup)
    assert sorted(r['ID'] for r in json.loads(done.stdout)) == sorted(
        [one['id'], two['id']])
    assert 'restore with `openstack floating ip harden restore' in \
        done.stderr
    assert _listing(place) == [] and _audit_unassociated(place) == []
    restored = place['admin'].json('floating', 'ip', 'harden', 'restore',
                                   backup)
    assert [r['Action'] for r in restored] == ['restored', 'restored']
    assert _listing(place) == before
    again = place['admin'].json('floating', 'ip', 'harden', 'restore',
                                backup)
    assert [r['Action'] for r in again] == ['already present'] * 2
    _release(place)        # leave nothing behind


def test_accepted_and_recently_changed_and_associated_stay(place):
    admin = place['admin']
    kept = _allocate(place, 'accepted')
    recent = _allocate(place, 'recent')
    admin.run('network', 'harden', 'accept', 'fip-unassociated', kept['id'],
              '--reason', 'held for the DR site', '--review-in', '30')
    proc = _release(place, '--unused-for', '7', '--dry-run')
    assert json.loads(proc.stdout) == []
    assert 'keeping %s' % kept['floating_ip_address'] in proc.stderr
    assert 'accepted until' in proc.stderr
    assert 'less than 7 days ago' in proc.stderr
    done = _release(place)
    assert [r['ID'] for r in json.loads(done.stdout)] == [recent['id']]
    assert [f['ID'] for f in _fips(admin, place['project'])] == [
        kept['id']]
    admin.run('network', 'harden', 'revoke', 'fip-unassociated',
              kept['id'])
    _release(place)


def test_naming_an_unknown_or_associated_address_changes_nothing(place):
    fip = _allocate(place, 'named')
    before = _listing(place)
    proc = _release(place, '198.51.100.77', check=False)
    assert proc.returncode == 1 and proc.stdout == ''
    assert proc.stderr.strip().splitlines()[-1] == (
        'no floating IP 198.51.100.77 in scope: nothing was released')
    assert _listing(place) == before
    done = _release(place, fip['floating_ip_address'])
    assert [r['Action'] for r in json.loads(done.stdout)] == ['released']


def test_an_edited_backup_is_refused_before_anything(place, tmp_path):
    fip = _allocate(place, 'edited')
    backup = tmp_path / 'f.json'
    _release(place, '--backup', str(backup))
    data = json.loads(backup.read_text())
    data['floating_ips'][0]['project_id'] = 'someone-else'
    edited = tmp_path / 'edited.json'
    edited.write_text(json.dumps(data))
    proc = place['admin'].run('floating', 'ip', 'harden', 'restore',
                              str(edited), check=False)
    assert proc.returncode == 1 and 'digest does not match' in proc.stderr
    assert _listing(place) == []
    restored = place['admin'].json('floating', 'ip', 'harden', 'restore',
                                   str(backup))
    assert restored[0]['ID'] == fip['id'] and _listing(place) != []
    _release(place)


def test_a_member_is_told_who_may_restore_and_a_manager_may(
        place, tmp_path, devcloud):
    """Choosing an address needs the admin role or (Neutron 2026.2) the
    project's manager role: the member is refused in one line saying so,
    the demo project's manager restores."""
    admin = place['admin']
    demo = CLI(os.path.join(devcloud, 'demo-openrc.sh'))
    manager = CLI(os.path.join(devcloud, 'demo-manager-openrc.sh'))
    fip = admin.json('floating', 'ip', 'create', 'public', '--project',
                     'demo', '--description', 'member restore')
    backup = str(tmp_path / 'demo.json')
    admin.run('floating', 'ip', 'harden', 'release', fip['id'], '--project',
              'demo', '--backup', backup)
    proc = demo.run('floating', 'ip', 'harden', 'restore', backup,
                    check=False)
    assert proc.returncode == 1
    assert 'an admin or a manager of the project must run the restore' in \
        proc.stderr.splitlines()[-1]
    assert fip['floating_ip_address'] not in [
        f['Floating IP Address'] for f in demo.json('floating', 'ip',
                                                    'list')]
    [row] = manager.json('floating', 'ip', 'harden', 'restore', backup)
    assert row['Action'] == 'restored'
    admin.run('floating', 'ip', 'delete', row['New ID'])


def test_a_released_address_a_manager_takes_is_named_with_the_way_back(
        place, tmp_path, devcloud):
    """Once released, an address is free: the demo project's manager takes
    it by name. The admin's restore changes nothing and says who holds it,
    who can take such an address and how it comes back."""
    admin = place['admin']
    manager = CLI(os.path.join(devcloud, 'demo-manager-openrc.sh'))
    fip = _allocate(place, 'taken')
    backup = str(tmp_path / 'taken.json')
    _release(place, '--backup', backup)
    taken = manager.json('floating', 'ip', 'create', 'public',
                         '--floating-ip-address', fip['floating_ip_address'])
    proc = admin.run('floating', 'ip', 'harden', 'restore', backup, '-f',
                     'json', check=False)
    assert proc.returncode == 1
    [row] = json.loads(proc.stdout)
    assert row['Action'].startswith(
        'not restored: %s is held by project %s (floating IP %s'
        % (fip['floating_ip_address'], taken['project_id'], taken['id']))
    assert 'for the manager of any project' in row['Action']
    assert '`openstack floating ip delete %s`' % taken['id'] in \
        row['Action']
    assert _listing(place) == []
    manager.run('floating', 'ip', 'delete', taken['id'])
    [row] = admin.json('floating', 'ip', 'harden', 'restore', backup)
    assert row['Action'] == 'restored'
    _release(place)
