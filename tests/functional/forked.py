"""The real `openstack` shell, each run a process forked from a warm one.

Races need real concurrent processes (in-process runs take turns), and a
process started from nothing spends ~2 s of CPU importing
python-openstackclient before it sends a request: 80 of them per race
scenario, on two cores. multiprocessing's forkserver imports the shell
once (this module is its preload); every run is a new fork of that
server: its own process, memory, connections and locks, the environment
of an openrc, python-openstackclient's own main() loading our plugin
from its entry points, as on the command line.
"""

import multiprocessing
import os
import subprocess
import sys
import tempfile

from openstackclient import shell  # noqa: F401  (what the server warms)

_context = None


def _serve():
    global _context
    if _context is None:
        _context = multiprocessing.get_context('forkserver')
        _context.set_forkserver_preload([__name__])
    return _context


def _child(argv, env, out, err):
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        target = os.open(path, os.O_WRONLY | os.O_TRUNC)
        os.dup2(target, fd)
        os.close(target)
    sys.stdout = open(1, 'w', closefd=False)
    sys.stderr = open(2, 'w', closefd=False)
    try:
        code = shell.main([str(a) for a in argv])
    except SystemExit as e:             # argparse errors
        code = e.code if isinstance(e.code, int) else 2
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


class ForkedCLI:

    def __init__(self, env, timeout=300):
        self.env = dict(env)
        self.timeout = timeout

    def run(self, *argv, env=None):
        wanted = dict(self.env, **(env or {}))
        with tempfile.NamedTemporaryFile('r') as out, \
                tempfile.NamedTemporaryFile('r') as err:
            proc = _serve().Process(target=_child, args=(
                list(argv), wanted, out.name, err.name))
            proc.start()
            proc.join(self.timeout)
            if proc.exitcode is None:
                proc.kill()
                proc.join()
                raise subprocess.TimeoutExpired(['openstack'] + list(argv),
                                                self.timeout)
            code = proc.exitcode
            return subprocess.CompletedProcess(
                ['openstack'] + [str(a) for a in argv],
                code if code >= 0 else 128 - code, out.read(), err.read())
