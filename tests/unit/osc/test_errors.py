"""Every command's unexplained failure is one line: endpoint and reason."""

import pytest

from tests.unit.osc import harness
from xloudclient.osc import default_group_commands
from xloudclient.osc import port_security_commands
from xloudclient.osc import vip_commands

DOWN = ('Unable to establish connection to http://127.0.0.1:19696/v2.0/'
        'ports?limit=1000&fields=id&fields=name: HTTPConnectionPool(host='
        "'127.0.0.1', port=19696): Max retries exceeded (Caused by "
        "NewConnectionError('...: [Errno 111] Connection refused'))")


class Down:
    def __getattr__(self, name):
        def fail(*a, **kw):
            raise ConnectionError(DOWN)
        return fail


@pytest.mark.parametrize('command, argv', [
    (port_security_commands.DisablePortSecurity, ['p1', '--reason', 'fw']),
    (port_security_commands.EnablePortSecurity, ['p1']),
    (port_security_commands.ListPortSecurityExceptions, []),
    (vip_commands.AddVip, ['10.0.0.100', '--port', 'a']),
    (vip_commands.RemoveVip, ['10.0.0.100', '--all-ports']),
    (vip_commands.ListVips, []),
    (default_group_commands.HardenDefault, ['--dry-run']),
])
def test_neutron_down_is_one_line_naming_the_endpoint(command, argv):
    result = harness.run(command, argv, Down())
    text = str(result.error)
    assert result.code == 1
    assert 'cannot reach' in text and 'http://127.0.0.1:19696' in text
    assert 'connection refused' in text
    assert '?' not in text and 'limit=' not in text and '\n' not in text
    assert len(text) <= 200
