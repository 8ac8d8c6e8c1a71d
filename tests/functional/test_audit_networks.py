"""network-port-security-disabled, end to end through the real CLI."""

import json

import pytest

CHECK = 'network-port-security-disabled'
# Findings make the audit exit 3; these tests read the findings.
AUDIT = ('network', 'harden', 'audit', '--fail-on', 'none')


@pytest.fixture
def demo_networks(demo, unique, cleanup):
    """One network without port security and one with, in `demo`."""
    nets = {}
    for kind, flag in (('insecure', '--disable-port-security'),
                       ('secure', '--enable-port-security')):
        name = '%s-%s' % (unique, kind)
        nets[kind] = demo.json('network', 'create', flag, name)['id']
        cleanup.append((demo, 'network', 'delete', nets[kind]))
    return nets


def _flagged(rows):
    return {r['Resource ID'] for r in rows if r['Check'] == CHECK}


def test_admin_all_projects_flags_only_the_insecure_network(
        admin, demo, demo_networks):
    demo_project = demo.json('token', 'issue')['project_id']
    proc = admin.run(*AUDIT, '--all-projects',
                     '-f', 'json')
    rows = json.loads(proc.stdout)
    assert demo_networks['insecure'] in _flagged(rows)
    assert demo_networks['secure'] not in _flagged(rows)
    [row] = [r for r in rows if r['Resource ID'] == demo_networks['insecure']]
    assert row['Severity'] == 'high'
    assert row['Resource Type'] == 'network'
    assert row['Project'] == demo_project
    assert row['Resource Name'].endswith('-insecure')
    assert row['Remediation'] == (
        'openstack network set --enable-port-security %s'
        % demo_networks['insecure'])
    assert 'all projects' in proc.stderr


def test_remediation_command_really_fixes_it(admin, demo_networks):
    rows = admin.json(*AUDIT, '--all-projects')
    [row] = [r for r in rows if r['Resource ID'] == demo_networks['insecure']]
    admin.run(*row['Remediation'].split()[1:])
    rows = admin.json(*AUDIT, '--all-projects')
    assert demo_networks['insecure'] not in _flagged(rows)


def test_admin_default_scope_is_admins_own_project(admin, demo_networks):
    rows = admin.json(*AUDIT)
    assert demo_networks['insecure'] not in _flagged(rows)


def test_admin_project_option_moves_the_scope(admin, demo_networks):
    rows = admin.json(*AUDIT, '--project', 'demo',
                      '--project-domain', 'Default')
    assert demo_networks['insecure'] in _flagged(rows)


def test_demo_sees_only_its_own_project(admin, demo, demo_networks, unique,
                                        cleanup):
    # An insecure network in the admin project must not leak into demo's.
    admin_net = admin.json('network', 'create', '--disable-port-security',
                           unique + '-admin')['id']
    cleanup.append((admin, 'network', 'delete', admin_net))
    demo_project = demo.json('token', 'issue')['project_id']
    rows = demo.json(*AUDIT)
    assert demo_networks['insecure'] in _flagged(rows)
    assert admin_net not in _flagged(rows)
    assert {r['Project'] for r in rows} == {demo_project}
    assert admin_net in _flagged(
        admin.json(*AUDIT, '--all-projects'))


def test_demo_all_projects_is_refused_in_one_line(demo):
    proc = demo.run(*AUDIT, '--all-projects',
                    '-f', 'json', check=False)
    assert proc.returncode != 0
    assert proc.stdout == ''
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and 'admin' in lines[0], proc.stderr


def test_demo_other_project_is_refused(demo):
    proc = demo.run(*AUDIT, '--project', 'admin',
                    check=False)
    assert proc.returncode != 0
    assert proc.stdout == ''
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_unreadable_neutron_fails_closed(admin, demo_networks):
    # An unreachable endpoint: the audit must fail, not report "clean".
    proc = admin.run(*AUDIT, '--all-projects',
                     '-f', 'json', check=False,
                     env={'OS_NETWORK_ENDPOINT_OVERRIDE':
                          'http://127.0.0.1:9/'})
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ''
    assert 'could not read' in proc.stderr


def test_help_documents_the_options(admin):
    out = admin.run('help', 'network', 'harden', 'audit').stdout
    for option in ('--all-projects', '--project <project>',
                   '--project-domain', '--timeout', '--check <check-id>',
                   '--skip-check', '--fail-on <severity>',
                   '--baseline <file>', '--sensitive-port', '--config'):
        assert option in out
    assert 'Audit network security' in out
