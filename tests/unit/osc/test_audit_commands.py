"""`network harden audit` as a command: exit codes, baseline, fail closed,
scope, and bad input (one line, nothing read)."""

import json

import pytest

from tests.unit.clouds import FakeNeutron
from tests.unit.osc import harness
from xloudclient.osc import audit_commands
from tests.unit.osc.audit_command_cases import EXTENSIONS


def _cloud():
    return FakeNeutron(
        extensions=EXTENSIONS,
        networks=[{'id': 'n1', 'name': 'open', 'project_id': 'pid',
                   'port_security_enabled': False},
                  {'id': 'n2', 'name': 'fine', 'project_id': 'pid',
                   'port_security_enabled': True}],
        ports=[], security_groups=[], security_group_rules=[],
        floatingips=[], routers=[])


def _audit(*argv, cloud=None, **kw):
    cloud = cloud or _cloud()
    return harness.run(audit_commands.AuditNetwork,
                       ['--check', 'network-port-security-disabled',
                        '-f', 'json'] + list(argv), cloud, **kw), cloud


def test_a_high_finding_exits_3_and_is_printed():
    result, _ = _audit()
    assert result.code == 3
    [row] = json.loads(result.out)
    assert (row['Resource ID'], row['Severity']) == ('n1', 'high')


@pytest.mark.parametrize('fail_on, code', [('none', 0), ('critical', 0),
                                           ('high', 3), ('info', 3)])
def test_fail_on(fail_on, code):
    assert _audit('--fail-on', fail_on)[0].code == code


def test_a_baseline_hides_known_findings(tmp_path):
    first, _ = _audit()
    path = tmp_path / 'baseline.json'
    path.write_text(first.out)
    result, _ = _audit('--baseline', str(path))
    assert (result.code, json.loads(result.out)) == (0, [])
    assert '1 more already in the baseline' in result.err


def test_fail_closed_prints_no_table():
    cloud = _cloud()
    cloud.fail['/networks'] = 503
    result, _ = _audit(cloud=cloud)
    assert result.code == 1 and result.out == ''
    assert 'audit failed, no findings reported' in str(result.error)


def test_the_scope_reaches_every_request():
    result, cloud = _audit()
    lists = [q for q in cloud.queries if q[0] != '/extensions']
    assert lists and all(p.get('project_id') == 'pid' for _, p in lists)
    result, cloud = _audit('--all-projects')
    lists = [q for q in cloud.queries if q[0] != '/extensions']
    assert lists and not any('project_id' in p for _, p in lists)


@pytest.mark.parametrize('argv, message', [
    (['--timeout', 'nan'], '--timeout'),
    (['--timeout', 'inf'], '--timeout'),
    (['--timeout', '0'], '--timeout'),
    (['--baseline', '/dev/zero'], 'not a regular file'),
])
def test_bad_input_is_one_line_and_reads_nothing(argv, message):
    result, cloud = _audit(*argv)
    assert result.code == 1 and message in str(result.error)
    assert '\n' not in str(result.error)
    assert cloud.queries == []


@pytest.mark.parametrize('content, message', [
    ([{'Check': 'c', 'Resource ID': 'r', 'Detail Key': ['x']}],
     'Detail Key'),
    ([{'Check': 'c', 'Resource ID': 'r', 'Detail Key': {'a': 1}}],
     'Detail Key'),
    ('[' * 50000 + ']' * 50000, 'nested too deeply'),
])
def test_bad_baselines(tmp_path, content, message):
    path = tmp_path / 'b.json'
    path.write_text(content if isinstance(content, str)
                    else json.dumps(content))
    result, cloud = _audit('--baseline', str(path))
    assert result.code == 1 and message in str(result.error)
    assert cloud.queries == []


def test_a_binary_config_file_is_one_line(tmp_path):
    path = tmp_path / 'audit.ini'
    path.write_bytes(b'\xff\xfe[sensitive-ports]\n')
    result, _ = _audit('--config', str(path))
    assert result.code == 1 and 'not UTF-8' in str(result.error)


def test_an_unknown_config_key_is_refused(tmp_path):
    path = tmp_path / 'audit.ini'
    path.write_text('[allowed-address-pairs]\nipv4-max-prefx = 20\n')
    result, _ = _audit('--config', str(path))
    assert result.code == 1 and 'ipv4-max-prefx' in str(result.error)
    path.write_text('[sensitive-port]\nx = 1\n')
    result, _ = _audit('--config', str(path))
    assert result.code == 1 and 'sensitive-port' in str(result.error)


def test_a_named_check_that_cannot_run_is_never_a_clean_exit():
    # Without port security the check asked for reads nothing: "0
    # findings" and exit 0 would look exactly like a clean cloud.
    cloud = _cloud()
    cloud.extensions.remove('port-security')
    result, _ = _audit('--fail-on', 'info', cloud=cloud)
    assert result.code == 1
    # the document itself says what was not looked at
    assert json.loads(result.out) == [{
        'Severity': 'info', 'Check': 'audit-check-not-run',
        'Resource Type': 'check',
        'Resource ID': 'network-port-security-disabled',
        'Resource Name': 'network-port-security-disabled', 'Project': '',
        'Project Name': '', 'Detail': 'the cloud lacks the Neutron '
        'extension port-security', 'Remediation': '', 'Detail Key': ''}]
    assert 'audit incomplete: network-port-security-disabled, named with ' \
        '--check, could not run (the cloud lacks the Neutron extension ' \
        'port-security)' in result.err
    assert '0 findings, 1 check not run;' in result.err


def test_the_catalogs_checks_that_cannot_run_are_counted_not_fatal():
    cloud = _cloud()
    cloud.extensions.remove('router')
    result = harness.run(audit_commands.AuditNetwork,
                         ['--fail-on', 'none', '-f', 'json'], cloud)
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines()
             if line.startswith('limitation: check ')]
    assert lines and 'checks not run;' in result.err
    assert ', %d checks not run;' % len(lines) in result.err
    assert 'audit incomplete' not in result.err
    records = [r for r in json.loads(result.out)
               if r['Check'] == 'audit-check-not-run']
    assert sorted('limitation: check %s not run: %s' % (
        r['Resource ID'], r['Detail']) for r in records) == sorted(lines)


def test_the_checks_not_run_are_in_every_machine_format_and_no_table():
    cloud = _cloud()
    cloud.extensions.remove('router')
    for fmt in ('yaml', 'csv', 'value'):
        out = harness.run(audit_commands.AuditNetwork,
                          ['--fail-on', 'none', '-f', fmt], cloud).out
        assert 'router-external-gateway' in out and \
            'audit-check-not-run' in out, fmt
    table = harness.run(audit_commands.AuditNetwork,
                        ['--fail-on', 'none'], cloud)
    assert 'audit-check-not-run' not in table.out
    assert 'limitation: check router-external-gateway not run' in table.err


def test_a_baseline_never_hides_a_check_that_could_not_run(tmp_path):
    cloud = _cloud()
    cloud.extensions.remove('router')
    first = harness.run(audit_commands.AuditNetwork,
                        ['--fail-on', 'none', '-f', 'json'], cloud).out
    path = tmp_path / 'baseline.json'
    path.write_text(first)
    again = harness.run(audit_commands.AuditNetwork,
                        ['--fail-on', 'none', '-f', 'json', '--baseline',
                         str(path)], cloud)
    assert [r['Resource ID'] for r in json.loads(again.out)] == [
        r['Resource ID'] for r in json.loads(first)
        if r['Check'] == 'audit-check-not-run']


def test_progress_is_one_line_on_a_terminal_cleared_before_the_summary():
    result = harness.run(audit_commands.AuditNetwork,
                         ['--fail-on', 'none'], _cloud(), tty=True)
    err = result.err
    updates = err.split('\r\033[K')
    assert len(updates) > 3 and updates[1].startswith('fetching: 1 type '
                                                      'done, ')
    last = [u for u in updates if u.startswith('fetching: ')][-1]
    assert '\n' not in last and ' types done, ' in last
    # cleared: what follows the last clear are the lines of the summary,
    # from a line's beginning; no progress was a line of its own
    assert 'fetching' not in updates[-1] and '\naudit of ' in (
        '\n' + updates[-1])
    assert '\n' not in ''.join(updates[:-1])


def test_no_progress_off_a_terminal_unless_verbose():
    quiet = harness.run(audit_commands.AuditNetwork, ['--fail-on', 'none'],
                        _cloud())
    assert 'fetch' not in quiet.err and '\r' not in quiet.err
    loud = harness.run(audit_commands.AuditNetwork, ['--fail-on', 'none'],
                       _cloud(), verbose_level=2)
    lines = [line for line in loud.err.splitlines()
             if line.startswith('fetched ')]
    assert 'fetched networks: 2' in lines and '\r' not in loud.err
