"""The whole check catalog against the devcloud, through the real CLI.

Every misconfiguration is planted in `demo` next to a benign look-alike;
the admin's `--all-projects -f json` audit must report each planted one
with the right check id and resource, and nothing for the look-alikes.
"""

import json
import os
import uuid

import pytest

from tests.functional.conftest import CLI


class Estate:
    """Resources planted for this module, deleted in reverse order."""

    def __init__(self, demo, admin):
        self.demo, self.admin = demo, admin
        self.prefix = 'xlc-%s' % uuid.uuid4().hex[:6]
        self.ids = {}
        self.undo = []

    def make(self, label, cli, *args, undo=None):
        item = cli.json(*args)
        self.ids[label] = item['id']
        if undo:
            self.undo.append((cli,) + tuple(
                a.format(id=item['id']) for a in undo))
        return item['id']

    def name(self, label):
        return '%s-%s' % (self.prefix, label)

    def cleanup(self):
        for cli, *args in reversed(self.undo):
            cli.run(*args, check=False)


def _sg(estate, label):
    return estate.make(label, estate.demo, 'security', 'group', 'create',
                       estate.name(label),
                       undo=('security', 'group', 'delete', '{id}'))


def _rule(estate, label, group, *args):
    return estate.make(label, estate.demo, 'security', 'group', 'rule',
                       'create', estate.ids[group], *args,
                       undo=('security', 'group', 'rule', 'delete', '{id}'))


def _port(estate, label, *args, cli=None):
    return estate.make(label, cli or estate.demo, 'port', 'create',
                       '--network', estate.ids['net'], *args,
                       estate.name(label),
                       undo=('port', 'delete', '{id}'))


@pytest.fixture(scope='module')
def estate(devcloud):
    demo = CLI(os.path.join(devcloud, 'demo-openrc.sh'))
    admin = CLI(os.path.join(devcloud, 'admin-openrc.sh'))
    e = Estate(demo, admin)
    try:
        _plant(e)
        yield e
    finally:
        e.cleanup()


def _plant(e):
    demo, admin = e.demo, e.admin
    # networks
    e.make('net-insecure', demo, 'network', 'create',
           '--disable-port-security', e.name('net-insecure'),
           undo=('network', 'delete', '{id}'))
    e.make('net', demo, 'network', 'create', e.name('net'),
           undo=('network', 'delete', '{id}'))
    # addresses above .150 are only given by hand (no port gets them by
    # chance: the pairs below name them)
    e.make('subnet', demo, 'subnet', 'create', '--network', e.ids['net'],
           '--subnet-range', '10.88.0.0/24', '--allocation-pool',
           'start=10.88.0.2,end=10.88.0.150', e.name('subnet'))
    # security groups and rules
    for group in ('open', 'safe', 'web', 'db', 'self'):
        _sg(e, group)
    _rule(e, 'r-any-world', 'open', '--protocol', 'any',
          '--remote-ip', '0.0.0.0/0')
    _rule(e, 'r-ssh-world', 'open', '--protocol', 'tcp', '--dst-port', '22',
          '--remote-ip', '0.0.0.0/0')
    _rule(e, 'r-rdp-world6', 'open', '--ethertype', 'IPv6', '--protocol',
          'tcp', '--dst-port', '3389', '--remote-ip', '::/0')
    _rule(e, 'r-range-world', 'open', '--protocol', 'tcp', '--dst-port',
          '20:25', '--remote-ip', '0.0.0.0/0')
    _rule(e, 'r-any-private', 'safe', '--protocol', 'any', '--remote-ip',
          '10.0.0.0/8')
    _rule(e, 'r-ssh-bastion', 'safe', '--protocol', 'tcp', '--dst-port',
          '22', '--remote-ip', '192.0.2.10/32')
    _rule(e, 'r-udp22-world', 'safe', '--protocol', 'udp', '--dst-port',
          '22', '--remote-ip', '0.0.0.0/0')
    _rule(e, 'r-https-world', 'safe', '--protocol', 'tcp', '--dst-port',
          '443', '--remote-ip', '0.0.0.0/0')
    _rule(e, 'r-ssh-egress', 'safe', '--egress', '--protocol', 'tcp',
          '--dst-port', '22', '--remote-ip', '0.0.0.0/0')
    _rule(e, 'r-db-from-web', 'db', '--protocol', 'tcp', '--dst-port',
          '5432', '--remote-group', e.ids['web'])
    _rule(e, 'r-self-any', 'self', '--protocol', 'any', '--remote-group',
          e.ids['self'])
    # ports: port security and exceptions
    _port(e, 'p-undocumented', '--disable-port-security',
          '--no-security-group')
    # documented by an admin (a member's disable is only a request)
    _port(e, 'p-documented', '--security-group', e.ids['safe'])
    admin.run('port', 'security', 'disable', e.ids['p-documented'],
              '--reason', 'vSRX firewall')
    e.undo.append((admin, 'port', 'security', 'enable',
                   e.ids['p-documented']))
    # an exception an admin approved long ago, now overdue (its
    # endorsement written by hand, as `approve` did when it was current)
    _port(e, 'p-overdue', '--disable-port-security', '--no-security-group')
    overdue = ('xloud-psx:v1 review=2026-01-31 granted=20251101T120000Z-0a0b '
               'by=ops sg= reason=legacy NAT')
    demo.run('port', 'set', '--tag', overdue, e.ids['p-overdue'])
    from xloudclient import records as rec
    endorsement = rec.endorsement_tag('ports', e.ids['p-overdue'], overdue,
                                      'admin')
    admin.run('project', 'set', '--tag', endorsement, 'demo')
    e.undo.append((admin, 'project', 'set', '--remove-tag', endorsement,
                   'demo'))
    _port(e, 'p-dhcp', '--disable-port-security', '--no-security-group',
          '--device-owner', 'network:dhcp', '--project', 'demo',
          cli=admin)
    # ports: default group in use
    # (members may create but not delete compute ports: plant as admin)
    _port(e, 'p-compute', '--device-owner', 'compute:nova', '--project',
          'demo', cli=admin)
    # ports: allowed address pairs
    _port(e, 'p-aap-any', '--security-group', e.ids['safe'],
          '--allowed-address', 'ip-address=0.0.0.0/0')
    _port(e, 'p-aap-wide', '--security-group', e.ids['safe'],
          '--allowed-address', 'ip-address=10.99.0.0/16')
    _port(e, 'p-aap-host', '--security-group', e.ids['web'],
          '--allowed-address', 'ip-address=10.88.0.250')
    _port(e, 'p-aap-bypass', '--security-group', e.ids['web'],
          '--allowed-address', 'ip-address=10.88.0.16/28')
    _port(e, 'p-aap-narrow', '--security-group', e.ids['safe'],
          '--allowed-address', 'ip-address=10.88.0.32/28')
    # pairs that impersonate: a neighbour's fixed IP, the gateway; and a
    # VIP held by the member of its reservation (`port vip add`)
    fixed = 'subnet=%s,ip-address=%%s' % e.ids['subnet']
    _port(e, 'p-neighbour', '--fixed-ip', fixed % '10.88.0.200')
    _port(e, 'p-imp-neighbour', '--fixed-ip', fixed % '10.88.0.201',
          '--allowed-address', 'ip-address=10.88.0.200')
    _port(e, 'p-imp-gateway', '--fixed-ip', fixed % '10.88.0.202',
          '--allowed-address', 'ip-address=10.88.0.1')
    _port(e, 'p-vip-member', '--fixed-ip', fixed % '10.88.0.203')
    demo.run('port', 'vip', 'add', '10.88.0.210', '--port',
             e.ids['p-vip-member'])
    [reservation] = demo.json('port', 'list', '--network', e.ids['net'],
                              '--name', 'vip-10.88.0.210')
    e.ids['vip-reservation'] = reservation['ID']
    e.undo.append((demo, 'port', 'delete', reservation['ID']))
    # groups every project may join: shared with all and named as remote
    # group by a rule; the look-alike shared with one project only
    for label, target in (('sg-all', ('--target-all-projects',)),
                          ('sg-one', ('--target-project', 'demo'))):
        e.make(label, admin, 'security', 'group', 'create', e.name(label),
               undo=('security', 'group', 'delete', '{id}'))
        e.make(label + '-rbac', admin, 'network', 'rbac', 'create',
               '--type', 'security_group', '--action', 'access_as_shared',
               *target, e.ids[label], undo=('network', 'rbac', 'delete',
                                            '{id}'))
        _rule(e, 'r-from-' + label, 'db', '--protocol', 'tcp', '--dst-port',
              '5432', '--remote-group', e.ids[label])
    # ports behind floating IPs
    _port(e, 'p-exposed', '--security-group', e.ids['open'])
    _port(e, 'p-https', '--security-group', e.ids['safe'])
    # routers
    e.make('router', demo, 'router', 'create', '--external-gateway',
           'public', e.name('router'),
           undo=('router', 'delete', '{id}'))
    demo.run('router', 'add', 'subnet', e.ids['router'], e.ids['subnet'])
    e.undo.append((demo, 'router', 'remove', 'subnet', e.ids['router'],
                   e.ids['subnet']))
    e.make('router-nosnat', admin, 'router', 'create', '--project', 'demo',
           e.name('router-nosnat'), undo=('router', 'delete', '{id}'))
    admin.run('router', 'set', '--external-gateway', 'public',
              '--disable-snat', e.ids['router-nosnat'])
    e.make('router-internal', demo, 'router', 'create',
           e.name('router-internal'), undo=('router', 'delete', '{id}'))
    # floating IPs
    for label, port in (('fip-free', None), ('fip-exposed', 'p-exposed'),
                        ('fip-https', 'p-https')):
        args = ['floating', 'ip', 'create', 'public']
        if port:
            args += ['--port', e.ids[port]]
        e.make(label, demo, *args, undo=('floating', 'ip', 'delete',
                                         '{id}'))


@pytest.fixture(scope='module')
def audit(estate):
    proc = estate.admin.run('network', 'harden', 'audit', '--all-projects',
                            '-f', 'json', check=False)
    assert proc.returncode == 3, proc.stderr   # high findings, default
    rows = json.loads(proc.stdout)
    by_check = {}
    for row in rows:
        by_check.setdefault(row['Check'], []).append(row)
    return by_check


def _ids(audit, check):
    return {r['Resource ID'] for r in audit.get(check, [])}


def _expect(estate, audit, check, flagged, benign):
    found = _ids(audit, check)
    for label in flagged:
        assert estate.ids[label] in found, '%s not flagged by %s' % (
            label, check)
    for label in benign:
        assert estate.ids[label] not in found, '%s wrongly flagged by %s' % (
            label, check)


def test_network_port_security(estate, audit):
    _expect(estate, audit, 'network-port-security-disabled',
            ['net-insecure'], ['net'])


def _neutron_ports(estate):
    """The ports Neutron made itself: the router's interface on the
    estate's subnet (port security off), router gateways and floating
    IPs on `public`."""
    own = estate.admin.json('port', 'list', '--device-owner',
                            'network:router_interface', '--router',
                            estate.ids['router'], '--long')
    assert own and all(p['Fixed IP Addresses'] for p in own)
    for owner in ('network:router_gateway', 'network:floatingip'):
        own += estate.admin.json('port', 'list', '--device-owner', owner,
                                 '--network', 'public')
    return {p['ID'] for p in own}


def test_port_security_disabled(estate, audit):
    # p-dhcp claims network:dhcp on its project's own network, which its
    # project could have written: an ordinary port, reported
    _expect(estate, audit, 'port-security-disabled',
            ['p-undocumented', 'p-dhcp'],
            ['p-documented', 'p-overdue', 'p-compute'])
    [row] = [r for r in audit['port-security-disabled']
             if r['Resource ID'] == estate.ids['p-dhcp']]
    assert "claims network:dhcp, not verified as Neutron's own" in \
        row['Detail']
    own = _neutron_ports(estate)
    assert not own & _ids(audit, 'port-security-disabled')
    # the router's own interface has port security off: judged Neutron's
    # by the router and its subnet's gateway address, not by its claim
    assert any(estate.admin.json('port', 'show', p)['port_security_enabled']
               is False for p in own)


def test_exception_overdue(estate, audit):
    _expect(estate, audit, 'port-security-exception-overdue',
            ['p-overdue'], ['p-documented', 'p-undocumented'])


def test_any_from_world(estate, audit):
    _expect(estate, audit, 'sg-ingress-any-from-world',
            ['r-any-world'], ['r-any-private', 'r-self-any'])


def test_ssh_from_world(estate, audit):
    _expect(estate, audit, 'sg-ingress-ssh-from-world',
            ['r-ssh-world', 'r-range-world', 'r-any-world'],
            ['r-ssh-bastion', 'r-udp22-world', 'r-ssh-egress',
             'r-https-world'])


def test_sensitive_from_world(estate, audit):
    _expect(estate, audit, 'sg-ingress-sensitive-from-world',
            ['r-rdp-world6', 'r-range-world', 'r-any-world'],
            ['r-ssh-world', 'r-https-world', 'r-ssh-bastion'])
    [rdp] = [r for r in audit['sg-ingress-sensitive-from-world']
             if r['Resource ID'] == estate.ids['r-rdp-world6']]
    assert rdp['Detail'].endswith(': rdp')
    [rng] = [r for r in audit['sg-ingress-sensitive-from-world']
             if r['Resource ID'] == estate.ids['r-range-world']]
    assert 'ftp, telnet' in rng['Detail']


def test_default_same_group(estate, audit):
    demo_default = estate.demo.json('security', 'group', 'show', 'default')
    same = {r['id'] for r in demo_default['rules']
            if r['direction'] == 'ingress' and r['remote_group_id'] ==
            demo_default['id']}
    assert len(same) == 2   # IPv4 and IPv6, from the rule templates
    [row] = [r for r in audit['sg-default-same-group-ingress']
             if r['Resource ID'] == demo_default['id']]  # one per group
    assert row['Detail'] == ('members reach each other on any protocol '
                             '(IPv4, IPv6)')
    assert not same & _ids(audit, 'sg-default-same-group-ingress')
    _expect(estate, audit, 'sg-default-same-group-ingress', [],
            ['r-self-any', 'r-db-from-web'])


def test_default_in_use(estate, audit):
    demo_default = estate.demo.json('security', 'group', 'show', 'default')
    [row] = [r for r in audit['sg-default-in-use']
             if r['Resource ID'] == demo_default['id']]
    ports = estate.demo.json('port', 'list', '--long', '--security-group',
                             demo_default['id'])
    # every port but Neutron's own (none of which has a group here)
    users = [p for p in ports
             if not (p['Device Owner'] or '').startswith('network:')]
    assert estate.ids['p-compute'] in {p['ID'] for p in users}
    only = [p for p in users if len(p['Security Groups']) == 1]
    assert row['Detail'] == '%d port(s) use it, %d with no other ' \
        'group' % (len(users), len(only))


def test_aap_any(estate, audit):
    _expect(estate, audit, 'aap-any-address', ['p-aap-any'],
            ['p-aap-wide', 'p-aap-host', 'p-aap-bypass'])


def test_aap_wide(estate, audit):
    _expect(estate, audit, 'aap-wide-prefix', ['p-aap-wide'],
            ['p-aap-any', 'p-aap-host', 'p-aap-bypass', 'p-aap-narrow'])


def test_aap_remote_group_bypass(estate, audit):
    _expect(estate, audit, 'aap-remote-group-bypass', ['p-aap-bypass'],
            ['p-aap-host', 'p-aap-narrow'])


def test_aap_impersonates(estate, audit):
    _expect(estate, audit, 'aap-impersonates',
            ['p-imp-neighbour', 'p-imp-gateway'],
            ['p-vip-member', 'p-neighbour', 'p-aap-host'])  # no holder
    rows = {r['Resource ID']: r for r in audit['aap-impersonates']}
    neighbour = rows[estate.ids['p-imp-neighbour']]
    assert neighbour['Severity'] == 'medium'          # its own project's
    assert neighbour['Detail'] == (
        'pair 10.88.0.200: may answer as port %s (same project)'
        % estate.name('p-neighbour'))
    gateway = rows[estate.ids['p-imp-gateway']]
    assert gateway['Severity'] == 'high'
    assert gateway['Detail'] == (
        'pair 10.88.0.1: may answer as the gateway of subnet %s (the '
        'router)' % estate.name('subnet'))


def test_sg_shared_all_projects_remote(estate, audit):
    _expect(estate, audit, 'sg-shared-all-projects-remote', ['sg-all'],
            ['sg-one', 'db', 'self'])
    [row] = [r for r in audit['sg-shared-all-projects-remote']
             if r['Resource ID'] == estate.ids['sg-all']]
    assert row['Severity'] == 'high'
    assert estate.ids['sg-all-rbac'] in row['Detail']
    assert estate.ids['r-from-sg-all'] in row['Detail']
    assert row['Remediation'] == 'openstack network rbac delete %s' % (
        estate.ids['sg-all-rbac'])


def test_fip_unassociated(estate, audit):
    _expect(estate, audit, 'fip-unassociated', ['fip-free'],
            ['fip-exposed', 'fip-https'])


def test_fip_exposes(estate, audit):
    _expect(estate, audit, 'fip-exposes-sensitive-port', ['fip-exposed'],
            ['fip-https', 'fip-free'])


def test_router_gateway(estate, audit):
    _expect(estate, audit, 'router-external-gateway',
            ['router', 'router-nosnat'], ['router-internal'])
    grades = {r['Resource ID']: r['Severity']
              for r in audit['router-external-gateway']}
    assert grades[estate.ids['router']] == 'info'
    assert grades[estate.ids['router-nosnat']] == 'medium'


def test_every_finding_has_a_remediation(audit):
    for rows in audit.values():
        for row in rows:
            assert row['Remediation'].startswith('openstack ')


def test_exit_codes_and_check_selection(estate):
    admin = estate.admin
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--check', 'router-external-gateway', '-f', 'json',
                     check=False)
    assert proc.returncode == 0   # medium at most, below --fail-on high
    checks = {r['Check'] for r in json.loads(proc.stdout)}
    assert checks == {'router-external-gateway'}
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--check', 'router-external-gateway', '--fail-on',
                     'medium', '-f', 'value', '-c', 'Check', check=False)
    assert proc.returncode == 3
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--fail-on', 'none', '-f', 'value', '-c', 'Check',
                     check=False)
    assert proc.returncode == 0 and proc.stdout
    proc = admin.run('network', 'harden', 'audit', '--check', 'no-such',
                     check=False)
    assert proc.returncode == 1 and 'no-such' in proc.stderr
    assert proc.stdout == ''


def test_baseline_shows_only_new_findings(estate, tmp_path, unique,
                                          cleanup):
    admin, demo = estate.admin, estate.demo
    first = admin.run('network', 'harden', 'audit', '--all-projects',
                      '-f', 'json', check=False)
    path = tmp_path / 'baseline.json'
    path.write_text(first.stdout)
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--baseline', str(path), '-f', 'json', check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
    assert 'already in the baseline' in proc.stderr
    net = demo.json('network', 'create', '--disable-port-security',
                    unique)['id']
    cleanup.append((demo, 'network', 'delete', net))
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--baseline', str(path), '-f', 'json', check=False)
    assert proc.returncode == 3
    assert [r['Resource ID'] for r in json.loads(proc.stdout)] == [net]


def test_check_list(estate):
    rows = estate.admin.json('network', 'harden', 'check', 'list')
    assert len(rows) == 26      # 23 over resources, 3 over decisions
    assert 'cloud-unfiltered' in {r['ID'] for r in rows}
    assert {'ID', 'Severity', 'Flags'} == set(rows[0])


def test_template_from_world(estate):
    """A default-rule template opening SSH to the world is reported on the
    template; one from a bastion prefix and Neutron's own (PARENT) are
    not. Planted and removed within the test: every group Neutron creates
    meanwhile gets it."""
    admin, made = estate.admin, []
    try:
        for prefix in ('0.0.0.0/0', '192.0.2.0/24'):
            made.append(admin.json(
                'default', 'security', 'group', 'rule', 'create',
                '--protocol', 'tcp', '--dst-port', '22', '--remote-ip',
                prefix, '--for-default-sg')['id'])
        rows = admin.json('network', 'harden', 'audit', '--all-projects',
                          '--fail-on', 'none', '--check',
                          'sg-template-from-world')
    finally:
        for template in made:
            admin.run('default', 'security', 'group', 'rule', 'delete',
                      template, check=False)
    assert [r['Resource ID'] for r in rows] == made[:1]
    [row] = rows
    assert (row['Severity'], row['Resource Type']) == (
        'high', 'default security group rule')
    assert row['Detail'] == (
        "ingress IPv4 tcp port 22 from 0.0.0.0/0: every new project's "
        'default group gets it, open to anywhere for ssh')
    assert row['Remediation'] == (
        'openstack security group harden template %s --dry-run' % made[0])


def test_quota_unlimited(estate):
    """demo's own ports quota made unlimited is reported on demo, with the
    command that sets it back to a limit; put back as it was."""
    admin = estate.admin
    demo_id = estate.demo.json('token', 'issue')['project_id']
    [ports] = [r['Limit'] for r in admin.json(
        'quota', 'show', '--network', 'demo') if r['Resource'] == 'ports']
    admin.run('quota', 'set', '--ports', '-1', 'demo')
    try:
        rows = admin.json('network', 'harden', 'audit', '--all-projects',
                          '--fail-on', 'none', '--check', 'quota-unlimited')
    finally:
        admin.run('quota', 'set', '--ports', str(ports), 'demo')
    [row] = [r for r in rows if r['Resource ID'] == demo_id]
    assert (row['Severity'], row['Resource Type']) == ('medium', 'project')
    assert row['Detail'].startswith('quotas of its own: ports unlimited')
    assert row['Remediation'].startswith('openstack quota set --ports ')
    assert row['Remediation'].endswith(' ' + demo_id)
    # put back: no longer reported
    rows = admin.json('network', 'harden', 'audit', '--all-projects',
                      '--fail-on', 'none', '--check', 'quota-unlimited')
    assert demo_id not in {r['Resource ID'] for r in rows}
