"""`port vip add/remove` as commands: columns, messages, refusals."""

import json

from tests.unit.harden.vip_cases import _cloud
from tests.unit.osc import harness
from xloudclient.osc import vip_commands


def _run(cls, *argv, cloud=None):
    cloud = cloud or _cloud()
    return harness.run(cls, list(argv), cloud), cloud


def test_retries_only_where_they_mean_something():
    table, _ = _run(vip_commands.AddVip, '10.0.0.100',
                    '--port', 'a', '--port', 'b')
    assert table.code == 0 and 'Retries' not in table.out
    machine, _ = _run(vip_commands.AddVip, '10.0.0.100',
                      '--port', 'a', '-f', 'json')
    assert all(row['Retries'] == 0 for row in json.loads(machine.out))
    dry, _ = _run(vip_commands.AddVip, '10.0.0.100',
                  '--port', 'a', '--dry-run', '-f', 'json')
    assert 'Retries' not in json.loads(dry.out)[0]


def test_remove_with_nothing_left_says_so_and_succeeds():
    result, _ = _run(vip_commands.RemoveVip, '10.0.0.100', '--all-ports',
                     '--release')
    assert result.code == 0
    assert 'nothing left to remove' in result.err


def test_project_domain_without_project_is_refused():
    result, cloud = _run(vip_commands.AddVip, '10.0.0.100', '--port', 'a',
                         '--project-domain', 'x')
    assert result.code == 1 and '--project' in str(result.error)
    assert [m for m, _ in cloud.log if m != 'GET'] == []


def _listing():
    from tests.unit.clouds import FakeNeutron
    from tests.unit.harden.vip_cases import _port
    from xloudclient.harden import vip as vip_lib

    pair = [{'ip_address': '10.0.0.100'}]
    ports = [_port('a', pairs=pair, n=1), _port('b', pairs=pair, n=2),
             dict(_port('r', n=9), name='vip-10.0.0.100',
                  device_owner=vip_lib.RESERVATION_OWNER, admin_state_up=False,
                  fixed_ips=[{'ip_address': '10.0.0.100'}])]
    return FakeNeutron(
        networks=[{'id': 'net-1', 'name': 'app-net', 'project_id': 'pid'}],
        ports=[dict(p, project_id='pid') for p in ports])


def test_list_shows_names_and_plain_values():
    cloud = _listing()
    table = harness.run(vip_commands.ListVips, ['-f', 'table'], cloud)
    assert 'app-net' in table.out and 'net-1' not in table.out
    long = harness.run(vip_commands.ListVips, ['-f', 'table', '--long'], cloud)
    assert 'net-1' in long.out
    value = harness.run(vip_commands.ListVips,
                        ['-f', 'value', '-c', 'Member Ports',
                         '-c', 'Warnings'], cloud)
    assert value.out.strip() == 'a, b'        # no list repr: no [ or '
    [row] = csv_rows(harness.run(vip_commands.ListVips, ['-f', 'csv'], cloud))
    assert (row['Member Ports'], row['Warnings']) == ('a, b', '')
    [row] = json.loads(harness.run(vip_commands.ListVips, ['-f', 'json'],
                                   cloud).out)
    assert row['Member Ports'] == ['a', 'b'] and row['Warnings'] == []
    assert (row['Network'], row['Network Name']) == ('net-1', 'app-net')
    assert row['Member Port Names'] == ['a', 'b']


def csv_rows(result):
    import csv
    import io
    return csv.DictReader(io.StringIO(result.out))
