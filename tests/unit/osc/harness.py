"""Run one of our cliff commands in-process against a fake client.

The command is built and run as cliff runs it (parser, run(), formatter),
with an app whose client_manager carries the fake Neutron client and a
token (auth_ref); stdout and stderr are captured.
"""

import io
import types

from osc_lib import exceptions


def auth(roles=('admin',), project='demo', project_id='pid',
         username='someone', user_id='u-someone'):
    return types.SimpleNamespace(
        role_names=list(roles), project_id=project_id, project_name=project,
        project_domain_id='default', project_domain_name='Default',
        username=username, user_id=user_id)


class Result:
    def __init__(self, code, out, err, error=None):
        self.code, self.out, self.err, self.error = code, out, err, error


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(command_class, argv, client, auth_ref=None, identity=None,
        tty=False, verbose_level=1):
    """(exit code, stdout, stderr, CommandError or None) of one command
    (stderr a terminal with tty; -v with verbose_level 2)."""
    stdout, stderr = io.StringIO(), (Terminal if tty else io.StringIO)()
    auth_ref = auth_ref or auth()
    if identity is None:            # a fake cloud may carry its Keystone
        identity = getattr(client, 'keystone', None)
    if hasattr(identity, 'for_token'):
        identity = identity.for_token(auth_ref)
    app = types.SimpleNamespace(
        stdout=stdout, stderr=stderr,
        options=types.SimpleNamespace(verbose_level=verbose_level),
        client_manager=types.SimpleNamespace(
            xloud=client, auth_ref=auth_ref,
            sdk_connection=types.SimpleNamespace(identity=identity)))
    cmd = command_class(app, None)
    parser = cmd.get_parser('openstack test')
    parsed = parser.parse_args(list(argv))
    try:
        code = cmd.run(parsed)
    except exceptions.CommandError as e:
        return Result(1, stdout.getvalue(), stderr.getvalue(), e)
    return Result(code, stdout.getvalue(), stderr.getvalue())
