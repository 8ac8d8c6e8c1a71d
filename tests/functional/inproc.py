"""The real `openstack` shell, run inside the test process.

python-openstackclient's own main() with our plugin loaded from its entry
points, the environment of an openrc: the same code path as the command
line, without paying ~1.5 s of start-up per call (about 0.3 s instead).
Used where a test makes hundreds of calls (the fault matrix).
"""

import contextlib
import gc
import io
import os
import subprocess
import threading

_lock = threading.Lock()


def _forget_plugin_clients():
    """python-openstackclient caches each plugin's client (our `xloud`
    Neutron client, with its token) on the ClientManager class, once per
    process: a process that runs one command never notices, this one
    would run the next command, of another user, with it."""
    from openstackclient.common import clientmanager
    from osc_lib import clientmanager as osc_clientmanager

    for cls in clientmanager.ClientManager.__mro__:
        for value in vars(cls).values():
            if isinstance(value, osc_clientmanager.ClientCache):
                value._handle = None


class InProcessCLI:

    def __init__(self, openrc_env, **extra):
        self.env = dict(openrc_env, **extra)

    def run(self, *argv, env=None):
        from openstackclient import shell

        wanted = dict(self.env, **(env or {}))
        out, err = io.StringIO(), io.StringIO()
        with _lock:
            saved = dict(os.environ)
            try:
                for key in [k for k in os.environ if k.startswith('OS_')]:
                    del os.environ[key]
                os.environ.update(wanted)
                with contextlib.redirect_stdout(out), \
                        contextlib.redirect_stderr(err):
                    try:
                        code = shell.main([str(a) for a in argv])
                    except SystemExit as e:      # argparse errors
                        code = e.code if isinstance(e.code, int) else 2
            finally:
                os.environ.clear()
                os.environ.update(saved)
                gc.unfreeze()   # what an audit froze (see runner): this
                #                 process runs hundreds of commands
                _forget_plugin_clients()
        return subprocess.CompletedProcess(['openstack'] + list(argv), code,
                                           out.getvalue(), err.getvalue())
