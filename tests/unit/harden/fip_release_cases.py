"""Cases and helpers of test_fip_release.py, shared with the modules
that test the same code (a test module imports no other)."""

import datetime
from tests.unit.clouds import FakeNeutron
from xloudclient.harden import fip_release as fr


NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)


NET = 'ext-net'


def _fip(fid, address, port=None, project='p1', updated='2026-11-01T00:00:00Z',
         **more):
    return dict({'id': fid, 'floating_ip_address': address,
                 'floating_network_id': NET, 'project_id': project,
                 'port_id': port, 'description': 'web ' + fid,
                 'tags': ['keep-me'], 'updated_at': updated,
                 'revision_number': 3, 'status': 'DOWN'}, **more)


def _cloud():
    return FakeNeutron(floatingips=[
        _fip('f1', '203.0.113.1'), _fip('f2', '203.0.113.2', port='port-9'),
        _fip('f3', '203.0.113.3', project='p2',
             updated='2026-11-30T00:00:00Z')])


def _addresses(cloud):
    return sorted((f['floating_ip_address'], f['project_id'],
                   f.get('description'), tuple(f.get('tags') or ()))
                  for f in cloud.data['floatingips'])


def _write_backup(path, *plan):
    """The backup of a plan, written as the command writes it."""
    return fr.BACKUP.write(path, fr.backup_body(*plan), NOW)
