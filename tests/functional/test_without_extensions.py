"""Clouds without an optional part of Neutron, each a devcloud of its own
(tools/devcloud with XLOUD_DEVCLOUD_WITHOUT): what the audit reports and
its exit code, and each changing command's refusal, in one line naming
the extension, with the cloud unchanged."""

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.functional.conftest import CLI
from tests.functional.conftest import DEVCLOUD
from tests.functional.conftest import STATE


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module', params=['security-group', 'port-security',
                                        'router'])
def cloud(request, devcloud, tmp_path_factory):
    """(what it lacks, admin CLI, demo CLI, a port of demo's) of a devcloud
    started without one optional part, stopped afterwards."""
    lacking = request.param
    state = str(tmp_path_factory.mktemp('without-' + lacking))
    env = dict(os.environ, XLOUD_DEVCLOUD_DIR=state,
               XLOUD_DEVCLOUD_VENV=os.environ.get(
                   'XLOUD_DEVCLOUD_VENV', os.path.join(STATE, 'venv')),
               XLOUD_DEVCLOUD_WITHOUT=lacking,
               XLOUD_DEVCLOUD_SHAPE='default',
               XLOUD_DEVCLOUD_KEYSTONE_PORT=str(_free_port()),
               XLOUD_DEVCLOUD_NEUTRON_PORT=str(_free_port()))
    up = subprocess.run([sys.executable, DEVCLOUD, 'up'], env=env,
                        capture_output=True, text=True)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        admin = CLI(os.path.join(state, 'admin-openrc.sh'))
        demo = CLI(os.path.join(state, 'demo-openrc.sh'))
        demo.run('network', 'create', 'net')
        demo.run('subnet', 'create', '--network', 'net', '--subnet-range',
                 '10.60.0.0/24', 'sub')
        port = demo.json('port', 'create', '--network', 'net', 'p1')
        yield lacking, admin, demo, port
    finally:
        subprocess.run([sys.executable, DEVCLOUD, 'down'], env=env,
                       capture_output=True)


def _audit(admin, *args):
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '-f', 'json', *args, check=False)
    return proc, json.loads(proc.stdout or '[]')


def _snapshot(admin):
    """Every port (pairs, port security, groups, tags) and security group
    rule of the cloud, and its floating IPs, as far as the cloud has them:
    what a refusal must leave as it was."""
    shown = [admin.json('port', 'show', q['ID'])
             for q in admin.json('port', 'list')]
    ports = sorted(
        (p['id'], json.dumps(p.get('allowed_address_pairs')),
         p.get('port_security_enabled'),
         sorted(p.get('security_group_ids') or p.get('security_groups')
                or ()), sorted(p.get('tags') or ())) for p in shown)
    extra = []
    for argv in (('security', 'group', 'rule', 'list'),
                 ('floating', 'ip', 'list')):
        proc = admin.run(*argv, '-f', 'json', check=False)
        extra.append(sorted(json.dumps(r, sort_keys=True) for r in
                            json.loads(proc.stdout)) if proc.returncode == 0
                     else None)
    return ports, extra


def _refused(proc, extension):
    last = proc.stderr.strip().splitlines()[-1]
    assert proc.returncode == 1, proc.stderr
    assert 'lacks the' in last and extension in last, last
    assert 'Traceback' not in proc.stderr


NOT_RUN = {
    'security-group': {'sg-ingress-ssh-from-world', 'aap-any-address'},
    'port-security': {'port-security-disabled',
                      'network-port-security-disabled'},
    'router': {'router-external-gateway', 'fip-unassociated'},
}


def test_the_audit_says_what_it_could_not_look_at(cloud):
    lacking, admin, _, _ = cloud
    proc, rows = _audit(admin)
    not_run = {r['Resource ID'] for r in rows
               if r['Check'] == 'audit-check-not-run'}
    assert NOT_RUN[lacking] <= not_run
    assert all('the cloud lacks the Neutron extension' in r['Detail']
               for r in rows if r['Check'] == 'audit-check-not-run')
    assert 'checks not run' in proc.stderr
    unfiltered = [r for r in rows if r['Check'] == 'cloud-unfiltered']
    if lacking == 'security-group':
        # the most exposed cloud there is: a finding, and a failing exit
        assert [r['Severity'] for r in unfiltered] == ['critical']
        assert proc.returncode == 3, proc.stderr
    else:
        assert unfiltered == [] and proc.returncode == 0, proc.stderr


def test_a_check_named_that_cannot_run_is_exit_1(cloud):
    lacking, admin, _, _ = cloud
    check = sorted(NOT_RUN[lacking])[0]
    proc, _ = _audit(admin, '--check', check, '--fail-on', 'info')
    assert proc.returncode == 1
    assert 'audit incomplete: %s' % check in proc.stderr


# What each cloud lacks, and the changing commands that must refuse there:
# (as whom, argv, the extension the refusal names)
REFUSALS = {
    'security-group': [
        ('demo', ['port', 'vip', 'add', '10.60.0.200', '--port', 'p1'],
         'allowed-address-pairs'),
        ('demo', ['port', 'vip', 'remove', '10.60.0.200', '--port', 'p1'],
         'allowed-address-pairs'),
        ('demo', ['port', 'vip', 'list'], 'allowed-address-pairs'),
        ('admin', ['security', 'group', 'harden', 'default', '--project',
                   'demo'], 'security-group'),
        ('admin', ['security', 'group', 'harden', 'default', '--template'],
         'security-group'),
        ('admin', ['security', 'group', 'harden', 'template'],
         'security-group'),
        ('admin', ['security', 'group', 'harden', 'restrict',
                   '--all-projects', '--check', 'sg-ingress-ssh-from-world',
                   '--to', '10.0.0.0/8'], 'security-group')],
    'port-security': [
        ('admin', ['port', 'security', 'disable', '{port}', '--reason',
                   'appliance'], 'port-security'),
        ('admin', ['port', 'security', 'enable', '{port}'],
         'port-security')],
    'router': [
        ('admin', ['floating', 'ip', 'harden', 'release', '--all-projects'],
         'router')],
}


def test_changing_commands_refuse_and_change_nothing(cloud):
    lacking, admin, demo, port = cloud
    who = {'admin': admin, 'demo': demo}
    before = _snapshot(admin)
    for user, argv, extension in REFUSALS[lacking]:
        proc = who[user].run(*[a.format(port=port['id']) for a in argv],
                             check=False)
        _refused(proc, extension)
        assert _snapshot(admin) == before, argv
