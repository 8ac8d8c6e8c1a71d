"""The older Neutron releases we test (tools/devcloud RELEASES), each a
devcloud of its own started here, beside the newest (the session's
devcloud): the smoke of every command; one planted estate audited in both
with the same findings; each changing command once, with the same outcome
as on the newest and its way back. The one difference allowed, with its
reason, is NO_TEMPLATES_API; anything else that differs fails."""

import json
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from tests.functional import figures
from tests.functional.conftest import CLI
from tests.functional.conftest import DEVCLOUD
from tests.functional.conftest import ROOT
from tests.functional.conftest import STATE
from tests.functional.world import World

RELEASES = [r for r in os.environ.get(
    'XLOUD_COMPAT_RELEASES', '2023.1,2024.1').split(',') if r]
SSH = 'sg-ingress-ssh-from-world'
# Before 2023.2 Neutron has no default security group rules API
# (security-groups-default-rules): its templates are built in, and
# `harden default --template` must refuse there, changing nothing.
NO_TEMPLATES_API = {'2023.1'}


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module', params=RELEASES)
def old(request, devcloud, tmp_path_factory):
    """(release, its devcloud's state directory, environment), started
    for this module and stopped afterwards."""
    release = request.param
    state = str(tmp_path_factory.mktemp('release-' + release))
    env = dict(os.environ, XLOUD_DEVCLOUD_DIR=state,
               XLOUD_DEVCLOUD_RELEASE=release,
               XLOUD_DEVCLOUD_VENV=os.environ.get(
                   'XLOUD_DEVCLOUD_VENV', os.path.join(STATE, 'venv')),
               XLOUD_DEVCLOUD_KEYSTONE_PORT=str(_free_port()),
               XLOUD_DEVCLOUD_NEUTRON_PORT=str(_free_port()))
    env.pop('XLOUD_DEVCLOUD_WITHOUT', None)
    env['XLOUD_DEVCLOUD_SHAPE'] = 'default'     # what older releases run
    t0 = time.monotonic()
    up = subprocess.run([sys.executable, DEVCLOUD, 'up'], env=env,
                        capture_output=True, text=True)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert '(%s, default shape)' % release in up.stdout, up.stdout
        figures.record('compat %s: devcloud up in %.0f s (%s)' % (
            release, time.monotonic() - t0, ' '.join(
                line for line in up.stdout.splitlines()
                if 'installed in' in line) or 'installed before'))
        yield release, state, env
    finally:
        subprocess.run([sys.executable, DEVCLOUD, 'down'], env=env,
                       capture_output=True)


def test_the_smoke_of_every_command_passes(old):
    """tests/functional/test_smoke.py, whole, against the release."""
    release, _, env = old
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-rfE', 'tests/functional/test_smoke.py'], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=1200)
    figures.record('compat %s: smoke %.0f s: %s' % (
        release, time.monotonic() - t0, proc.stdout.strip().splitlines()[-1]
        if proc.stdout.strip() else '(no output)'))
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


# --- one estate, planted in both clouds --------------------------------------

class Estate:
    """A World (a project of its own) with one of each insecure thing the
    checks know, made the same way in a cloud; what the commands run on."""

    def __init__(self, devcloud, tmp):
        self.state = devcloud
        self.world = w = World(devcloud, tmp, cidr='10.93.0.0/24')
        self.admin = CLI(os.path.join(devcloud, 'admin-openrc.sh'))
        pid = w.project
        self.ssh_group = w.bastion()[0]
        w.open_group('xlf-db', [5432, 3389])
        w.make_permissive()
        self.networks = [
            w._post('networks', {'name': 'xlf-appliance', 'project_id': pid,
                                 'port_security_enabled': False})['id'],
            w._post('networks', {'name': 'xlf-shared', 'project_id': pid,
                                 'shared': True})['id']]
        w._post('ports', {'network_id': w.network, 'project_id': pid,
                          'name': 'xlf-bare', 'port_security_enabled': False,
                          'security_groups': []})
        w.set_port(w.va, [], allowed_address_pairs=[
            {'ip_address': '0.0.0.0/0'}])
        w.set_port(w.vb, [], allowed_address_pairs=[
            {'ip_address': '10.0.0.0/8'}])
        w.routed()
        w.set_floating_ips([('172.24.4.231', 'spare', [])])

    @property
    def ssh_rule(self):
        """The SSH rule from anywhere (a restore puts it back anew)."""
        [rule] = [r['id'] for r in self.world._get(
            'security-group-rules', {'security_group_id': self.ssh_group})
            if r['port_range_min'] == 22 and
            r['remote_ip_prefix'] == '0.0.0.0/0']
        return rule

    def close(self):
        self.world.close()
        for net in self.networks:
            self.world.net.delete('/networks/' + net)

    def run(self, *argv, check=True):
        return self.admin.run(*argv, check=check)

    def rules(self):
        """Every rule of the project's groups, as comparable shapes. A
        description of null is taken as empty: 2023.1 makes a default
        group's rules with null, and its API stores a rule created
        without one (a restored rule) as ''."""
        def shape(rule):
            rule = {k: v for k, v in rule.items() if k not in (
                'id', 'created_at', 'updated_at', 'revision_number',
                'standard_attr_id', 'tenant_id')}
            rule['description'] = rule.get('description') or ''
            return json.dumps(rule, sort_keys=True)
        return sorted(shape(r) for r in self.world._get(
            'security-group-rules', {'project_id': self.world.project}))

    def floating_ips(self):
        return sorted((f['floating_ip_address'], f['description'])
                      for f in self.world.floating_ips())

    def same(self, text):
        """text with what differs between two clouds by construction (IDs,
        MAC addresses, the project's random name, times) made alike."""
        text = text.replace(self.world.project, '<project>')
        name = self.world.conn.identity.get_project(self.world.project).name
        text = text.replace(name, '<project-name>')
        text = re.sub(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                      r'[0-9a-f]{12}|[0-9a-f]{32}', '<id>', text)
        text = re.sub(r'([0-9a-f]{2}:){5}[0-9a-f]{2}', '<mac>', text)
        # a record's request ID: a digest of its text, which holds its
        # grant time and a random suffix
        text = re.sub(r'"Request": "[0-9a-f]{16}"', '"Request": "<request>"',
                      text)
        text = re.sub(r'--request [0-9a-f]{16}\b', '--request <request>',
                      text)
        text = re.sub(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?', '<time>', text)
        return re.sub(r'/tmp/\S+', '<path>', text)

    def audit(self, *extra):
        proc = self.run('network', 'harden', 'audit', '--project',
                        self.world.project, '-f', 'json', *extra,
                        check=False)
        assert 'Traceback' not in proc.stderr, proc.stderr
        rows = json.loads(proc.stdout or '[]')
        return proc.returncode, sorted(self.same(json.dumps(
            r, sort_keys=True)) for r in rows)

    def rows(self, *argv, check=True):
        """(exit code, the output's rows made alike, stderr's last line
        made alike) of a changing command run with -f json."""
        proc = self.run(*argv, '-f', 'json', check=check)
        assert 'Traceback' not in proc.stderr, proc.stderr
        last = (proc.stderr.strip().splitlines() or [''])[-1]
        return proc.returncode, sorted(self.same(json.dumps(
            r, sort_keys=True)) for r in json.loads(
                proc.stdout or '[]')), self.same(last)


@pytest.fixture(scope='module')
def pair(old, devcloud, tmp_path_factory):
    """(release, the release's estate, the newest's estate)."""
    release, state, _ = old
    t0 = time.monotonic()
    made = []
    try:
        for cloud in (state, devcloud):
            made.append(Estate(cloud, tmp_path_factory.mktemp('estate')))
        figures.record('compat %s: both estates planted in %.0f s' % (
            release, time.monotonic() - t0))
        yield release, made[0], made[1]
    finally:
        for estate in made:
            estate.close()


def test_the_audit_finds_the_same(pair):
    release, there, newest = pair
    code, rows = there.audit('--fail-on', 'high')
    assert (code, rows) == newest.audit('--fail-on', 'high')
    checks = {json.loads(r)['Check'] for r in rows}
    # the estate holds what it was planted with: the comparison is not
    # of two empty reports
    assert code == 3 and {
        SSH, 'sg-ingress-sensitive-from-world',
        'sg-default-same-group-ingress', 'port-security-disabled',
        'network-port-security-disabled', 'network-shared-all-projects',
        'aap-any-address', 'aap-wide-prefix', 'fip-unassociated',
        'router-external-gateway'} <= checks, checks
    assert 'audit-check-not-run' not in checks


def _both(pair, *argv, backup=None, check=True):
    """argv run in both estates ({project}, {backup} filled in): the
    outcome on the release, asserted the same as on the newest."""
    release, there, newest = pair
    outcomes = []
    for estate in (there, newest):
        fill = {
            'project': lambda: estate.world.project,
            'ssh_rule': lambda: estate.ssh_rule,
            'backup': lambda: os.path.join(str(estate.world.tmp), backup)}
        args = [a.format(**{k: f() for k, f in fill.items()
                            if '{%s}' % k in a}) for a in argv]
        outcomes.append(estate.rows(*args, check=check))
    assert outcomes[0] == outcomes[1], (release, argv)
    return outcomes[0]


def test_restrict_then_restore(pair):
    _, there, newest = pair
    before = there.rules(), newest.rules()
    _, rows, _ = _both(pair, 'security', 'group', 'harden', 'restrict',
                       '--project', '{project}', '--check', SSH, '--to',
                       '10.0.0.0/8', '--backup', '{backup}', backup='r.json')
    assert rows and there.audit('--check', SSH)[1] == []
    _both(pair, 'security', 'group', 'harden', 'restore', '{backup}',
          backup='r.json')
    assert (there.rules(), newest.rules()) == before


def test_harden_default_then_restore(pair):
    _, there, newest = pair
    before = there.rules(), newest.rules()
    _, rows, _ = _both(pair, 'security', 'group', 'harden', 'default',
                       '--project', '{project}', '--backup', '{backup}',
                       backup='d.json')
    assert [json.loads(r)['Action'] for r in rows].count('deleted') == 2
    assert there.rules() != before[0]
    _both(pair, 'security', 'group', 'harden', 'restore', '{backup}',
          backup='d.json')
    assert (there.rules(), newest.rules()) == before


def test_floating_ip_release_then_restore(pair):
    _, there, newest = pair
    before = there.floating_ips(), newest.floating_ips()
    _, rows, _ = _both(pair, 'floating', 'ip', 'harden', 'release',
                       '--project', '{project}', '--backup', '{backup}',
                       backup='f.json')
    assert len(rows) == 1 and there.floating_ips() == []
    _both(pair, 'floating', 'ip', 'harden', 'restore', '{backup}',
          backup='f.json')
    assert (there.floating_ips(), newest.floating_ips()) == before


def test_accept_then_revoke(pair):
    _, there, newest = pair
    _both(pair, 'network', 'harden', 'accept', SSH, '{ssh_rule}',
          '--reason', 'bastion', '--review-in', '30')
    assert there.audit('--check', SSH)[1] == []
    _, listed, _ = _both(pair, 'network', 'harden', 'accepted', 'list',
                         '--project', '{project}')
    assert [json.loads(r)['Status'] for r in listed] == ['accepted']
    _both(pair, 'network', 'harden', 'revoke', SSH, '{ssh_rule}')
    assert len(there.audit('--check', SSH)[1]) == 1


def _templates(estate):
    """The cloud's default security group rule templates, or None where
    the release has no API for them."""
    resp = estate.world.net.get('/default-security-group-rules')
    if resp.status_code == 404:
        return None
    assert resp.status_code == 200, resp.text
    return sorted(estate.same(json.dumps(
        {k: v for k, v in t.items() if k != 'id'}, sort_keys=True))
        for t in resp.json()['default_security_group_rules'])


def _every_rule(estate):
    return sorted(json.dumps(r, sort_keys=True) for r in estate.world._get(
        'security-group-rules'))


def test_harden_the_template_then_restore(pair):
    release, there, newest = pair
    argv = ('security', 'group', 'harden', 'default', '--template')
    if release in NO_TEMPLATES_API:
        assert _templates(there) is None
        before = _every_rule(there)
        for extra in (('--dry-run',), ()):
            proc = there.run(*argv, *extra, check=False)
            last = proc.stderr.strip().splitlines()[-1]
            assert proc.returncode == 1 and \
                'lacks the security-groups-default-rules extension' in \
                last, proc.stderr
            assert _every_rule(there) == before
        return
    before = _templates(there), _templates(newest)
    assert before[0] == before[1]
    _, rows, _ = _both(pair, *argv, '--backup', '{backup}', backup='t.json')
    assert rows and _templates(there) != before[0]
    _both(pair, 'security', 'group', 'harden', 'restore', '{backup}',
          backup='t.json')
    assert (_templates(there), _templates(newest)) == before


WORLD_SSH = {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
             'port_range_min': 22, 'port_range_max': 22,
             'remote_ip_prefix': '0.0.0.0/0', 'description': 'compat',
             'used_in_default_sg': True, 'used_in_non_default_sg': False}


def test_harden_a_world_open_template_then_restore(pair):
    """`harden template`: refused where there is no template API; else
    the same plan, deletion and restore on both releases."""
    release, there, newest = pair
    argv = ('security', 'group', 'harden', 'template')
    if release in NO_TEMPLATES_API:
        before = _every_rule(there)
        for extra in (('--dry-run',), ()):
            proc = there.run(*argv, *extra, check=False)
            last = proc.stderr.strip().splitlines()[-1]
            assert proc.returncode == 1 and 'lacks the Neutron extension ' \
                'security-groups-default-rules' in last, proc.stderr
            assert _every_rule(there) == before
        return
    before = _templates(there), _templates(newest)
    try:
        for estate in (there, newest):
            estate.world._post('default-security-group-rules', WORLD_SSH)
        _, rows, _ = _both(pair, *argv, '--backup', '{backup}',
                           backup='w.json')
        assert [json.loads(r)['Action'] for r in rows] == ['deleted']
        assert (_templates(there), _templates(newest)) == before
        _both(pair, 'security', 'group', 'harden', 'restore', '{backup}',
              backup='w.json')
        assert _templates(there) == _templates(newest) != before[0]
    finally:
        for estate in (there, newest):
            for t in estate.world._get('default-security-group-rules'):
                if t['description'] == 'compat':
                    estate.world.net.delete(
                        '/default-security-group-rules/' + t['id'])
    assert (_templates(there), _templates(newest)) == before
