"""Functional tier: the real `openstack` CLI against tools/devcloud.

The devcloud is started if it is not running and stopped again afterwards,
so a test run leaves it as it found it. If it cannot start, every test
here fails (it never skips).
"""

import concurrent.futures
import json
import os
import shlex
import subprocess
import sys
import uuid

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DEVCLOUD = os.path.join(ROOT, 'tools', 'devcloud')
STATE = os.environ.get('XLOUD_DEVCLOUD_DIR', os.path.join(ROOT, '.devcloud'))
OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')


def _devcloud(verb):
    return subprocess.run([sys.executable, DEVCLOUD, verb],
                          capture_output=True, text=True)


def read_openrc(path):
    """The variables an admin gets from `source <openrc>`."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith('export '):
                key, _, value = line[len('export '):].partition('=')
                env[key] = shlex.split(value)[0] if value else ''
    return env


@pytest.fixture(scope='session')
def devcloud():
    started = False
    if _devcloud('status').returncode != 0:
        up = _devcloud('up')
        if up.returncode != 0:
            pytest.fail('tools/devcloud up failed:\n%s%s'
                        % (up.stdout, up.stderr), pytrace=False)
        started = True
    yield STATE
    if started:
        _devcloud('down')


class CLI:
    """Runs `openstack` as one user, the way an admin would.

    By default in this process (inproc.py: python-openstackclient's own
    main() with our plugin from its entry points, ~1.4 s of start-up less
    per call); as a process of its own with process=True (test_smoke.py:
    the start-up itself) or XLOUD_FUNCTIONAL_SUBPROCESS=1 (every call);
    each call a process forked from a warm server with fork=True
    (forked.py: races, many processes at once)."""

    def __init__(self, openrc, process=False, fork=False):
        from tests.functional.forked import ForkedCLI
        from tests.functional.inproc import InProcessCLI

        base = {k: v for k, v in os.environ.items()
                if not k.startswith('OS_')}
        self.openrc = openrc
        self.env = dict(base, **read_openrc(openrc))
        exec_every = process or os.environ.get('XLOUD_FUNCTIONAL_SUBPROCESS')
        self.inproc = None if exec_every or fork else InProcessCLI(self.env)
        self.forked = ForkedCLI(self.env) if fork and not os.environ.get(
            'XLOUD_FUNCTIONAL_SUBPROCESS') else None

    def run(self, *args, check=True, env=None):
        if self.inproc is not None:
            proc = self.inproc.run(*args, env=env)
        elif self.forked is not None:
            proc = self.forked.run(*args, env=env)
        else:
            proc = subprocess.run([OPENSTACK] + [str(a) for a in args],
                                  capture_output=True, text=True,
                                  env=dict(self.env, **(env or {})),
                                  timeout=300)
        if check and proc.returncode != 0:
            raise AssertionError('openstack %s -> exit %d\n%s' % (
                ' '.join(map(str, args)), proc.returncode, proc.stderr))
        return proc

    def together(self, commands):
        """Run the commands as concurrent processes; their CompletedProcess
        in order (each its own process: in-process runs take turns)."""
        assert self.inproc is None, 'in-process runs take turns: no race'
        with concurrent.futures.ThreadPoolExecutor(len(commands)) as pool:
            return list(pool.map(lambda argv: self.run(*argv, check=False),
                                 commands))

    def json(self, *args, **kw):
        return json.loads(self.run(*(args + ('-f', 'json')), **kw).stdout)


@pytest.fixture(scope='session')
def admin(devcloud):
    return CLI(os.path.join(devcloud, 'admin-openrc.sh'))


@pytest.fixture(scope='session')
def demo(devcloud):
    return CLI(os.path.join(devcloud, 'demo-openrc.sh'))


@pytest.fixture
def unique():
    """A unique resource name prefix for one test."""
    return 'xlt-%s' % uuid.uuid4().hex[:8]


@pytest.fixture
def cleanup():
    """Collect (cli, delete-args...) and run them after the test."""
    todo = []
    yield todo
    for cli, *args in reversed(todo):
        cli.run(*args, check=False)


def pytest_terminal_summary(terminalreporter):
    from tests.functional import figures
    if figures.LINES:
        terminalreporter.write_sep('-', 'figures')
        for line in figures.LINES:
            terminalreporter.write_line(line)
