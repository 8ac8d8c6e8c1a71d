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


def test_provider_networks_projects_may_use(admin, demo, unique, cleanup):
    """network-provider-projects on VLANs of physnet1 (the devcloud's
    ML2 maps VLANs 100-199 there): shared with all is medium, given to
    demo is info, port security off on it high; an overlay shared with all
    and a VLAN nobody else uses are quiet."""
    made = {}

    def vlan(label, segment, *args):
        made[label] = admin.json(
            'network', 'create', '--provider-network-type', 'vlan',
            '--provider-physical-network', 'physnet1', '--provider-segment',
            str(segment), *args, '%s-%s' % (unique, label))['id']
        cleanup.append((admin, 'network', 'delete', made[label]))
    vlan('shared', 171, '--share')
    vlan('given', 172)
    policy = admin.json('network', 'rbac', 'create', '--type', 'network',
                        '--action', 'access_as_shared', '--target-project',
                        'demo', made['given'])['id']
    cleanup.append((admin, 'network', 'rbac', 'delete', policy))
    vlan('open', 173, '--share', '--disable-port-security')
    vlan('private', 174)
    made['overlay'] = admin.json('network', 'create', '--share',
                                 '%s-overlay' % unique)['id']
    cleanup.append((admin, 'network', 'delete', made['overlay']))
    rows = {r['Resource ID']: r for r in admin.json(
        *AUDIT, '--all-projects', '--check', 'network-provider-projects')}
    assert rows[made['shared']]['Severity'] == 'medium'
    assert rows[made['shared']]['Detail'].startswith(
        'provider network (vlan physnet1 segment 171) every project can put '
        'ports on')
    assert rows[made['given']]['Severity'] == 'info'
    assert rows[made['given']]['Remediation'] == (
        'openstack network rbac delete %s' % policy)
    assert rows[made['open']]['Severity'] == 'high'
    assert made['private'] not in rows and made['overlay'] not in rows
    # a member sees no provider attributes: nothing to judge, nothing said
    assert demo.json(*AUDIT, '--check', 'network-provider-projects') == []
