"""Every command once, through the real CLI against the devcloud.

The floor environment (`make floor`: Debian 12's client stack) runs this
file too: it is the proof that each command works on the oldest supported
python-openstackclient, openstacksdk, osc-lib and cliff.
"""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.functional import reviewed


@pytest.fixture(scope='module')
def admin(devcloud):
    """Every call a real `openstack` process: the start-up is tested."""
    import os

    from tests.functional.conftest import CLI

    return CLI(os.path.join(devcloud, 'admin-openrc.sh'), process=True)


@pytest.fixture(scope='module')
def demo(devcloud):
    import os

    from tests.functional.conftest import CLI

    return CLI(os.path.join(devcloud, 'demo-openrc.sh'), process=True)


@pytest.fixture(scope='module')
def net(devcloud, demo):
    """A network with a subnet and three ports in `demo`."""
    import uuid

    name = 'xls-%s' % uuid.uuid4().hex[:6]
    net_id = demo.json('network', 'create', name)['id']
    demo.run('subnet', 'create', '--network', net_id, '--subnet-range',
             '10.77.0.0/24', '--allocation-pool',
             'start=10.77.0.2,end=10.77.0.99', name)
    ports = [demo.json('port', 'create', '--network', net_id,
                       '%s-%d' % (name, i))['id'] for i in range(3)]
    yield {'id': net_id, 'name': name, 'ports': ports}
    left = [p['ID'] for p in demo.json('port', 'list', '--network', net_id)]
    demo.run('port', 'delete', *left, check=False)
    demo.run('network', 'delete', net_id, check=False)


def test_check_list(demo):
    rows = demo.json('network', 'harden', 'check', 'list')
    assert len(rows) >= 14 and {'ID', 'Severity', 'Flags'} <= set(rows[0])


def test_audit_as_member_and_admin_in_every_format(demo, admin, net):
    rows = demo.json('network', 'harden', 'audit', '--fail-on', 'none')
    assert all(r['Project Name'] == 'demo' for r in rows)
    table = admin.run('network', 'harden', 'audit', '--all-projects',
                      '--fail-on', 'none').stdout
    assert '| Severity | Check' in table
    page = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--fail-on', 'none', '-f', 'html').stdout
    assert page.startswith('<!DOCTYPE html>')
    junit = admin.run('network', 'harden', 'audit', '--all-projects',
                      '--fail-on', 'none', '-f', 'junit').stdout
    assert ET.fromstring(junit.encode()).tag == 'testsuites'
    metrics = admin.run('network', 'harden', 'audit', '--all-projects',
                        '--fail-on', 'none', '-f', 'openmetrics').stdout
    assert metrics.endswith('# EOF\n')


def test_vip_add_list_remove(demo, net):
    a, b, _ = net['ports']
    rows = demo.json('port', 'vip', 'add', '10.77.0.200', '--port', a,
                     '--port', b)
    assert [r['Action'] for r in rows] == ['added', 'added', 'reserved']
    [vip] = [v for v in demo.json('port', 'vip', 'list', '--network',
                                  net['id'])
             if v['Address'] == '10.77.0.200']
    assert sorted(vip['Member Ports']) == sorted([a, b])
    assert vip['Network Name'] == net['name']
    rows = demo.json('port', 'vip', 'remove', '10.77.0.200', '--all-ports',
                     '--network', net['id'], '--release')
    assert sorted(r['Action'] for r in rows) == ['released', 'removed',
                                                 'removed']


def test_port_security_disable_approve_list_enable(demo, admin, net):
    port = net['ports'][2]
    out = demo.json('port', 'security', 'disable', port, '--reason',
                    'smoke test appliance', '--review-in', '30')
    assert out['Port Security Enabled'] is False

    def status():
        rows = demo.json('port', 'security', 'exception', 'list')
        [row] = [r for r in rows if r['Port ID'] == port]
        assert row['Project Name'] == 'demo'
        return row['Status']
    assert status() == 'requested'          # a member's: a request
    out = reviewed.approve(admin, 'port-security-disabled', port)
    assert out['Action'] == 'approved'
    assert status() == 'documented'
    out = admin.json('port', 'security', 'enable', port)
    assert out['Port Security Enabled'] is True


def test_harden_default_and_restore(demo, tmp_path):
    backup = tmp_path / 'backup.json'
    plan = demo.run('security', 'group', 'harden', 'default', '--dry-run',
                    '-f', 'json')
    planned = [r for r in json.loads(plan.stdout)
               if r['Action'] == 'would delete']
    rows = demo.json('security', 'group', 'harden', 'default', '--backup',
                     str(backup))
    try:
        assert len([r for r in rows if r['Action'] == 'deleted']) == len(
            planned)
    finally:
        if backup.exists():
            restored = demo.json('security', 'group', 'harden', 'restore',
                                 str(backup))
            assert {r['Action'].split(' ')[0] for r in restored} <= {
                'restored', 'already'}
