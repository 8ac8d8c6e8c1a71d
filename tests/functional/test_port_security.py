"""port security disable / enable / exception list, through the real CLI."""

import datetime
import subprocess

import pytest

from tests.functional.conftest import OPENSTACK
from tests.functional import reviewed

VOLATILE = {'revision_number', 'updated_at', 'tags',
            'port_security_enabled', 'security_group_ids'}


@pytest.fixture
def demo_port(demo, unique, cleanup):
    """A port in `demo` with two security groups."""
    net = demo.json('network', 'create', unique + '-net')['id']
    cleanup.append((demo, 'network', 'delete', net))
    demo.run('subnet', 'create', '--network', net, '--subnet-range',
             '10.77.0.0/24', unique + '-subnet')
    sg = demo.json('security', 'group', 'create', unique + '-sg')['id']
    cleanup.append((demo, 'security', 'group', 'delete', sg))
    port = demo.json('port', 'create', '--network', net,
                     '--security-group', 'default', '--security-group', sg,
                     unique + '-port')
    cleanup.insert(2, (demo, 'port', 'delete', port['id']))
    return port


def _show(cli, port_id):
    return cli.json('port', 'show', port_id)


def _records(port):
    return [t for t in port['tags'] if t.startswith('xloud-psx:v1 ')]


def _one_line_error(proc):
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_round_trip_restores_exactly(admin, demo, demo_port):
    pid = demo_port['id']
    before = _show(demo, pid)
    out = demo.json('port', 'security', 'disable', pid, '--reason',
                    'vSRX firewall, change CHG-1001/2', '--review-in', '30')
    assert out['Action'] == 'disabled (requested)'     # a member's
    [row] = [r for r in admin.json('port', 'security', 'exception', 'list',
                                   '--all-projects') if r['Port ID'] == pid]
    assert row['Status'] == 'requested'
    reviewed.approve(admin, 'port-security-disabled', pid)
    after = _show(demo, pid)
    assert after['port_security_enabled'] is False
    assert after['security_group_ids'] == []
    assert len(_records(after)) == 1

    rows = admin.json('port', 'security', 'exception', 'list',
                      '--all-projects')
    [row] = [r for r in rows if r['Port ID'] == pid]
    today = datetime.date.today()
    assert row['Status'] == 'documented'
    assert row['Reason'] == 'vSRX firewall, change CHG-1001/2'
    assert row['Review By'] == (today + datetime.timedelta(30)).isoformat()
    assert row['Days Left'] == 30
    assert row['Granted By'] == 'demo'
    assert sorted(row['Recorded Security Groups']) == sorted(
        before['security_group_ids'])

    out = admin.json('port', 'security', 'enable', pid)
    assert out['Action'] == 'enabled'
    restored = _show(demo, pid)
    assert restored['port_security_enabled'] is True
    assert sorted(restored['security_group_ids']) == sorted(
        before['security_group_ids'])
    assert restored['tags'] == before['tags']
    assert {k: v for k, v in restored.items() if k not in VOLATILE} == {
        k: v for k, v in before.items() if k not in VOLATILE}
    rows = demo.json('port', 'security', 'exception', 'list')
    assert pid not in {r['Port ID'] for r in rows}


def test_dry_runs_change_nothing(demo, demo_port):
    pid = demo_port['id']
    before = _show(demo, pid)
    out = demo.json('port', 'security', 'disable', pid, '--reason', 'x',
                    '--dry-run')
    assert 'dry run' in out['Action']
    assert _show(demo, pid) == before


def test_undocumented_then_enable_uses_default_group(demo, demo_port):
    pid = demo_port['id']
    demo.run('port', 'set', '--no-security-group', '--disable-port-security',
             pid)
    [row] = [r for r in demo.json('port', 'security', 'exception', 'list')
             if r['Port ID'] == pid]
    assert row['Status'] == 'undocumented' and row['Reason'] == ''
    out = demo.json('port', 'security', 'enable', pid)
    assert 'default' in out['Notes']
    default = demo.json('security', 'group', 'show', 'default')['id']
    assert _show(demo, pid)['security_group_ids'] == [default]


def test_overdue_listing(admin, demo, demo_port):
    from xloudclient import records as rec

    pid = demo_port['id']
    demo.run('port', 'set', '--no-security-group', '--disable-port-security',
             pid)
    # An exception granted long ago, as the record would look today: a
    # request until an admin's endorsement names it (written by hand here,
    # as `approve` would have when it was current).
    tag = ('xloud-psx:v1 review=2026-01-31 granted=20251101T120000Z-0a0b '
           'by=ops sg= reason=legacy NAT box')
    demo.run('port', 'set', '--tag', tag, pid)
    assert pid not in {r['Port ID'] for r in demo.json(
        'port', 'security', 'exception', 'list', '--overdue')}
    endorsement = rec.endorsement_tag('ports', pid, tag, 'admin')
    admin.run('project', 'set', '--tag', endorsement, 'demo')
    try:
        rows = demo.json('port', 'security', 'exception', 'list',
                         '--overdue')
        [row] = [r for r in rows if r['Port ID'] == pid]
        assert row['Status'] == 'overdue' and \
            row['Reason'] == 'legacy NAT box'
        assert row['Days Left'] == (datetime.date(2026, 1, 31) -
                                    datetime.date.today()).days < 0
    finally:
        admin.run('project', 'set', '--remove-tag', endorsement, 'demo')


@pytest.mark.parametrize('args, expect', [
    (['no-such-port-xl', '--reason', 'x'], 'no port'),
    (['{port}', '--reason', 'x', '--review-by', '2020-01-01'], 'past'),
    (['{port}', '--reason', '   '], 'empty'),
    (['{port}', '--reason', 'y' * 240], 'too long'),
    (['{port}', '--reason', 'x', '--review-in', '5000'], 'from 0 to 366'),
])
def test_bad_input_changes_nothing(demo, demo_port, args, expect):
    pid = demo_port['id']
    before = _show(demo, pid)
    proc = demo.run('port', 'security', 'disable',
                    *[a.format(port=pid) for a in args], check=False)
    assert expect in _one_line_error(proc)
    assert _show(demo, pid) == before


def test_address_pairs_refused_naming_them(demo, demo_port):
    pid = demo_port['id']
    demo.run('port', 'set', '--allowed-address', 'ip-address=10.77.0.200',
             pid)
    before = _show(demo, pid)
    proc = demo.run('port', 'security', 'disable', pid, '--reason', 'x',
                    check=False)
    assert '10.77.0.200' in _one_line_error(proc)
    assert _show(demo, pid) == before


def test_member_cannot_touch_another_projects_port(admin, demo, unique,
                                                   cleanup):
    net = admin.json('network', 'create', unique + '-adm')['id']
    cleanup.append((admin, 'network', 'delete', net))
    port = admin.json('port', 'create', '--network', net, unique + '-adm')
    cleanup.insert(1, (admin, 'port', 'delete', port['id']))
    for verb in (['disable', port['id'], '--reason', 'x'],
                 ['enable', port['id']]):
        proc = demo.run('port', 'security', *verb, check=False)
        _one_line_error(proc)
    assert _show(admin, port['id']) == port
    proc = demo.run('port', 'security', 'exception', 'list',
                    '--all-projects', check=False)
    assert 'admin' in _one_line_error(proc)


def test_concurrent_runs_never_leave_half_written_records(admin, demo,
                                                          demo_port):
    pid = demo_port['id']
    for round_ in range(4):
        procs = [
            subprocess.Popen([OPENSTACK, 'port', 'security', 'disable', pid,
                              '--renew', '--reason', 'round %d' % round_],
                             env=demo.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE),
            subprocess.Popen([OPENSTACK, 'port', 'security', 'enable', pid],
                             env=demo.env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)]
        for proc in procs:
            proc.communicate(timeout=120)
        port = _show(admin, pid)
        records = _records(port)
        if port['port_security_enabled']:
            assert records == [], port
            assert len(port['security_group_ids']) == 2
        else:
            assert len(records) == 1, port
            assert port['security_group_ids'] == []
    demo.run('port', 'security', 'enable', pid)
    assert len(_show(demo, pid)['security_group_ids']) == 2
