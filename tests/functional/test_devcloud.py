"""tools/devcloud itself: idempotent up, status, a taken port."""

import json
import os
import socket
import subprocess
import sys

import pytest

from tests.functional.conftest import DEVCLOUD


def _devcloud(verb, env=None):
    return subprocess.run([sys.executable, DEVCLOUD, verb],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def test_up_when_up_says_so(devcloud):
    proc = _devcloud('up')
    assert proc.returncode == 0, proc.stderr
    assert 'already up' in proc.stdout


def test_status_reports_both_services(devcloud):
    proc = _devcloud('status')
    assert proc.returncode == 0
    states = [line.split()[:2] for line in proc.stdout.splitlines()]
    assert ['keystone', 'up'] in states and ['neutron', 'up'] in states


def test_taken_port_is_a_clear_error_not_a_hang(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(('127.0.0.1', 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        proc = _devcloud('up', env={
            'XLOUD_DEVCLOUD_DIR': str(tmp_path / 'dc'),
            'XLOUD_DEVCLOUD_KEYSTONE_PORT': str(port)})
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert 'port %d' % port in line and 'already in use' in line
    assert 'XLOUD_DEVCLOUD_KEYSTONE_PORT' in line
    assert not (tmp_path / 'dc').exists()  # nothing installed or written


def test_status_of_a_stopped_devcloud_fails(tmp_path):
    proc = _devcloud('status', env={'XLOUD_DEVCLOUD_DIR': str(tmp_path)})
    assert proc.returncode == 1
    assert 'down' in proc.stdout


def test_bad_port_value(tmp_path):
    proc = _devcloud('up', env={'XLOUD_DEVCLOUD_DIR': str(tmp_path),
                                'XLOUD_DEVCLOUD_NEUTRON_PORT': 'ninety'})
    assert proc.returncode == 1
    assert 'XLOUD_DEVCLOUD_NEUTRON_PORT' in proc.stderr


def test_a_role_this_keystone_lacks_is_created_not_a_crash(devcloud):
    # Older Keystone releases bootstrap no `service` or `manager` role;
    # populating such a cloud asked for the role and died on IndexError.
    import importlib.machinery
    import importlib.util
    import uuid

    loader = importlib.machinery.SourceFileLoader('devcloud_tool', DEVCLOUD)
    tool = importlib.util.module_from_spec(
        importlib.util.spec_from_loader('devcloud_tool', loader))
    loader.exec_module(tool)
    ks = tool.Keystone(tool.ports()['keystone'],
                       tool.secrets_file()['admin'])
    name = 'xlt-role-%s' % uuid.uuid4().hex[:8]
    made = ks.role(name)
    try:
        assert ks.role(name) == made        # found, not made twice
        found = ks.call('GET', '/roles?name=' + name)['roles']
        assert [r['id'] for r in found] == [made]
    finally:
        ks.call('DELETE', '/roles/' + made)


def test_an_unknown_release_is_refused_in_one_line(tmp_path):
    proc = _devcloud('up', env={'XLOUD_DEVCLOUD_DIR': str(tmp_path / 'dc'),
                                'XLOUD_DEVCLOUD_RELEASE': '2019.1'})
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert "unknown release '2019.1'" in line and '2023.1' in line
    assert not (tmp_path / 'dc').exists()


def test_up_for_another_release_says_to_reset_first(devcloud):
    proc = _devcloud('up', env={'XLOUD_DEVCLOUD_RELEASE': '2023.1',
                                'XLOUD_DEVCLOUD_SHAPE': 'default'})
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert 'was made for Neutron 2026.2' in line and 'reset' in line
    assert 'for Neutron 2023.1' in line
    assert _devcloud('status').returncode == 0      # still up, as it was


@pytest.mark.parametrize('env, words', [
    ({'XLOUD_DEVCLOUD_SHAPE': 'tiny'}, ["unknown shape 'tiny'", 'production']),
    ({'XLOUD_DEVCLOUD_SHAPE': 'production',
      'XLOUD_DEVCLOUD_RELEASE': '2023.1'},
     ['production shape runs Neutron 2026.2 only']),
    ({'XLOUD_DEVCLOUD_SHAPE': 'production',
      'XLOUD_DEVCLOUD_WITHOUT': 'router'},
     ['XLOUD_DEVCLOUD_WITHOUT is for the default shape']),
    ({'XLOUD_DEVCLOUD_SHAPE': 'production',
      'XLOUD_DEVCLOUD_WORKERS': '1'}, ['XLOUD_DEVCLOUD_WORKERS', '2 to 16']),
])
def test_a_shape_it_cannot_run_is_refused_in_one_line(tmp_path, env, words):
    proc = _devcloud('up', env=dict(env, XLOUD_DEVCLOUD_DIR=str(
        tmp_path / 'dc')))
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert all(w in line for w in words), line
    assert not (tmp_path / 'dc').exists()   # nothing installed or written


def test_status_lists_what_runs_behind_the_apis(devcloud):
    with open(os.path.join(devcloud, 'initialised')) as f:
        shape = json.load(f)['shape']
    lines = _devcloud('status').stdout.splitlines()
    names = [line.split()[0] for line in lines]
    backends = ['mariadb', 'ovn-nb', 'ovn-sb', 'ovn-northd']
    assert names == ['keystone', 'neutron'] + (
        backends if shape == 'production' else [])
    assert all(' up ' in line for line in lines)
