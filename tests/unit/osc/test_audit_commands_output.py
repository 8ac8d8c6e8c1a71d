"""What the audit prints: the short table, --long, the machine formats'
keys, project names (and the fallback to IDs), order by severity rank."""

import json
import types

from tests.unit.clouds import FakeNeutron
from tests.unit.osc import harness
from tests.unit.osc.audit_command_cases import EXTENSIONS
from xloudclient.osc import audit_commands


def _cloud():
    return FakeNeutron(
        extensions=EXTENSIONS,
        networks=[{'id': 'n1', 'name': 'open', 'project_id': 'pid',
                   'port_security_enabled': False},
                  {'id': 'n3', 'name': '', 'project_id': 'other',
                   'port_security_enabled': False}],
        ports=[{'id': 'p1', 'name': 'vrrp', 'project_id': 'pid',
                'port_security_enabled': True, 'device_owner': '',
                'security_groups': [], 'fixed_ips': [],
                'allowed_address_pairs': [{'ip_address': '0.0.0.0/0'}]}],
        security_groups=[], security_group_rules=[],
        floatingips=[{'id': 'f1', 'floating_ip_address': '203.0.113.9',
                      'port_id': None, 'project_id': 'pid'}],
        routers=[{'id': 'r1', 'name': 'edge', 'project_id': 'pid',
                  'external_gateway_info': {'network_id': 'n1',
                                            'enable_snat': True}}])


def _identity(projects=(('pid', 'demo'), ('other', 'web-team')),
              fail=False):
    def listing():
        if fail:
            raise RuntimeError('Keystone answered 503')
        return [types.SimpleNamespace(id=i, name=n) for i, n in projects]
    return types.SimpleNamespace(projects=listing)


def _run(*argv, identity=None):
    return harness.run(audit_commands.AuditNetwork,
                       ['--all-projects'] + list(argv),
                       _cloud(), identity=identity or _identity())


def _table(text):
    lines = [line for line in text.splitlines() if line.startswith('|')]
    split = [[c.strip() for c in line.strip('|').split('|')]
             for line in lines]
    return split[0], split[1:]


def test_the_default_table_is_short_and_shows_names():
    result = _run('-f', 'table')
    header, rows = _table(result.out)
    assert header == ['Severity', 'Check', 'Resource', 'Project', 'Detail']
    by_check = {r[1]: r for r in rows}
    assert by_check['aap-any-address'][2:4] == ['vrrp', 'demo']
    assert by_check['fip-unassociated'][2] == '203.0.113.9'
    # a network without a name shows its ID; its project by name
    [unnamed] = [r for r in rows if r[2] == 'n3']
    assert unnamed[3] == 'web-team'


def test_long_adds_ids_remediation_and_key():
    header, rows = _table(_run('-f', 'table', '--long').out)
    assert header == ['Severity', 'Check', 'Resource', 'Project', 'Detail',
                      'Resource Type', 'Resource ID', 'Project ID',
                      'Remediation', 'Detail Key']
    [row] = [r for r in rows if r[1] == 'aap-any-address']
    assert row[5:] == ['port', 'p1', 'pid', 'openstack port unset '
                       '--allowed-address ip-address=0.0.0.0/0 p1',
                       '0.0.0.0/0']


def test_machine_formats_keep_every_key_with_ids_and_add_names():
    rows = json.loads(_run('-f', 'json').out)
    assert all(list(r) == list(audit_commands.MACHINE_COLUMNS) for r in rows)
    [row] = [r for r in rows if r['Check'] == 'aap-any-address']
    assert (row['Project'], row['Project Name'], row['Resource Name'],
            row['Resource ID']) == ('pid', 'demo', 'vrrp', 'p1')


def test_names_fall_back_to_ids_when_keystone_fails():
    result = _run('-f', 'json', identity=_identity(fail=True))
    assert result.code == 3
    names = {r['Project']: r['Project Name'] for r in json.loads(result.out)}
    assert names == {'pid': 'demo', 'other': ''}   # the token's own name
    header, rows = _table(_run('-f', 'table',
                               identity=_identity(fail=True)).out)
    assert {r[3] for r in rows} == {'demo', 'other'}


def test_a_member_lists_no_projects():
    calls = []

    def listing():
        calls.append(1)
        return []
    result = harness.run(audit_commands.AuditNetwork, ['-f', 'json'], _cloud(),
                         auth_ref=harness.auth(roles=('member',)),
                         identity=types.SimpleNamespace(projects=listing))
    assert calls == [] and result.code == 3


def test_rows_come_most_severe_first_and_sort_by_rank():
    severities = [r['Severity'] for r in json.loads(_run('-f', 'json').out)]
    assert severities == ['critical', 'high', 'high', 'low', 'info']
    by_column = _run('-f', 'value', '-c', 'Severity', '--sort-column',
                     'Severity', '--sort-descending').out.split()
    assert by_column == ['info', 'low', 'high', 'high', 'critical']
    header, rows = _table(_run('-f', 'table', '--sort-column', 'Severity',
                               '--sort-column', 'Check').out)
    assert [r[0] for r in rows] == ['critical', 'high', 'high', 'low',
                                    'info']


def test_the_report_formats_belong_to_the_audit_only():
    parser = audit_commands.ListChecks(
        types.SimpleNamespace(), None).get_parser('x')
    choices = next(a.choices for a in parser._actions
                   if a.dest == 'formatter')
    assert 'html' not in choices and 'json' in choices
    parser = audit_commands.AuditNetwork(
        types.SimpleNamespace(), None).get_parser('x')
    choices = next(a.choices for a in parser._actions
                   if a.dest == 'formatter')
    assert {'html', 'junit', 'openmetrics', 'json', 'table'} <= set(choices)
