"""`port vip add/remove` as commands: columns, messages, refusals."""

import json

from tests.unit.osc import harness
from tests.unit.test_vip import _cloud
from xloudclient.osc import vip


def _run(cls, *argv, cloud=None):
    cloud = cloud or _cloud()
    return harness.run(cls, list(argv), cloud), cloud


def test_retries_only_where_they_mean_something():
    table, _ = _run(vip.AddVip, '10.0.0.100', '--port', 'a', '--port', 'b')
    assert table.code == 0 and 'Retries' not in table.out
    machine, _ = _run(vip.AddVip, '10.0.0.100', '--port', 'a', '-f', 'json')
    assert all(row['Retries'] == 0 for row in json.loads(machine.out))
    dry, _ = _run(vip.AddVip, '10.0.0.100', '--port', 'a', '--dry-run',
                  '-f', 'json')
    assert 'Retries' not in json.loads(dry.out)[0]


def test_remove_with_nothing_left_says_so_and_succeeds():
    result, _ = _run(vip.RemoveVip, '10.0.0.100', '--all-ports',
                     '--release')
    assert result.code == 0
    assert 'nothing left to remove' in result.err


def test_project_domain_without_project_is_refused():
    result, cloud = _run(vip.AddVip, '10.0.0.100', '--port', 'a',
                         '--project-domain', 'x')
    assert result.code == 1 and '--project' in str(result.error)
    assert [m for m, _ in cloud.log if m != 'GET'] == []
