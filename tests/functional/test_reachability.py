"""'From anywhere' as address sets, through the real CLI: every spelling
of the whole internet planted in the devcloud is reported, and the private
look-alikes are not."""

import json
import re
import uuid

import pytest

SSH = 'sg-ingress-ssh-from-world'


@pytest.fixture(scope='module')
def planted(devcloud, demo):
    name = 'xlr-%s' % uuid.uuid4().hex[:6]
    made, undo = {}, []

    def group(label):
        made[label] = demo.json('security', 'group', 'create',
                                '%s-%s' % (name, label))['id']
        undo.append(('security', 'group', 'delete', made[label]))
        return made[label]

    def rule(label, group_id, *remote, ethertype='IPv4', port='22'):
        made[label] = demo.json(
            'security', 'group', 'rule', 'create', group_id, '--ingress',
            '--ethertype', ethertype, '--protocol', 'tcp', '--dst-port',
            port, *remote)['id']

    def address_group(label, *addresses):
        args = [a for address in addresses for a in ('--address', address)]
        made[label] = demo.json('address', 'group', 'create', *args,
                                '%s-%s' % (name, label))['id']
        undo.append(('address', 'group', 'delete', made[label]))
        return made[label]

    try:
        halves = group('halves')
        rule('v4-low', halves, '--remote-ip', '0.0.0.0/1')
        rule('v4-high', halves, '--remote-ip', '128.0.0.0/1')
        six = group('six')
        rule('v6-global', six, '--remote-ip', '2000::/3',
             ethertype='IPv6')
        ags = group('address-groups')
        world = address_group('ag-world', '0.0.0.0/0')
        split = address_group('ag-split', '0.0.0.0/1', '128.0.0.0/1')
        private = address_group('ag-private', '10.0.0.0/8')
        rule('ag-world-rule', ags, '--remote-address-group', world)
        rule('ag-split-rule', ags, '--remote-address-group', split,
             port='2222')    # another port: only this rule admits it
        looks = group('look-alikes')
        rule('zero-eight', looks, '--remote-ip', '0.0.0.0/8')
        rule('ten', looks, '--remote-ip', '10.0.0.0/8')
        rule('mapped', looks, '--remote-ip', '::ffff:0.0.0.0/96',
             ethertype='IPv6')
        rule('ula', looks, '--remote-ip', 'fd00::/8', ethertype='IPv6')
        rule('ag-private-rule', looks, '--remote-address-group', private)
        lonely = group('one-half')
        rule('only-low', lonely, '--remote-ip', '0.0.0.0/1')
        yield made
    finally:
        for args in reversed(undo):
            demo.run(*args, check=False)


def _audit(demo, *checks):
    args = [a for c in checks for a in ('--check', c)]
    proc = demo.run('network', 'harden', 'audit', '--fail-on', 'none',
                    '-f', 'json', *args)
    return json.loads(proc.stdout)


def test_every_spelling_of_anywhere_is_reported(demo, planted):
    rows = _audit(demo, SSH)
    found = {r['Resource ID']: r for r in rows}
    for label in ('v4-low', 'v4-high', 'v6-global', 'ag-world-rule'):
        assert planted[label] in found, '%s not reported' % label
    low = found[planted['v4-low']]
    assert low['Detail'].endswith('from anywhere together with rule %s'
                                  % planted['v4-high'])
    assert low['Remediation'] == (
        "openstack security group harden restrict %s %s --project %s --to "
        "'<management-cidr>' --dry-run" % (planted['v4-low'],
                                           planted['v4-high'],
                                           low['Project']))
    for label in ('zero-eight', 'ten', 'mapped', 'ula', 'ag-private-rule',
                  'only-low'):
        assert planted[label] not in found, '%s wrongly reported' % label


def test_a_split_address_group_is_anywhere_for_its_port(demo, planted):
    rows = _audit(demo, 'sg-ingress-sensitive-from-world')
    assert planted['ag-split-rule'] not in {r['Resource ID'] for r in rows}
    proc = demo.run('network', 'harden', 'audit', '--fail-on', 'none',
                    '-f', 'json', '--check',
                    'sg-ingress-sensitive-from-world',
                    '--sensitive-port', 'alt-ssh=2222')
    rows = json.loads(proc.stdout)
    [row] = [r for r in rows if r['Resource ID'] == planted['ag-split-rule']]
    assert row['Detail'].endswith(': alt-ssh')


@pytest.fixture(scope='module')
def direct(devcloud, admin, demo):
    """Ports reached without a floating IP, and shared networks, with
    look-alikes; planted as admin where only an admin may."""
    name = 'xlx-%s' % uuid.uuid4().hex[:6]
    made, undo = {}, []

    def keep(label, cli, *args, delete):
        made[label] = cli.json(*args)['id']
        undo.append((cli,) + delete + (made[label],))

    try:
        keep('ssh-group', demo, 'security', 'group', 'create',
             name + '-ssh', delete=('security', 'group', 'delete'))
        for ethertype, prefix in (('IPv4', '0.0.0.0/0'), ('IPv6', '::/0')):
            demo.run('security', 'group', 'rule', 'create',
                     made['ssh-group'], '--ethertype', ethertype,
                     '--protocol', 'tcp', '--dst-port', '22',
                     '--remote-ip', prefix)
        keep('web-group', demo, 'security', 'group', 'create',
             name + '-web', delete=('security', 'group', 'delete'))
        demo.run('security', 'group', 'rule', 'create', made['web-group'],
                 '--protocol', 'tcp', '--dst-port', '443', '--remote-ip',
                 '0.0.0.0/0')
        # on the external network, as admin for the demo project
        keep('ext-ssh', admin, 'port', 'create', '--network', 'public',
             '--project', 'demo', '--security-group', made['ssh-group'],
             name + '-ext-ssh', delete=('port', 'delete'))
        keep('ext-web', admin, 'port', 'create', '--network', 'public',
             '--project', 'demo', '--security-group', made['web-group'],
             name + '-ext-web', delete=('port', 'delete'))
        # global and unique-local IPv6 tenant subnets behind a router with
        # a gateway (IPv6 is routed, never NATed), and a global one that
        # no router serves
        keep('v6-router', demo, 'router', 'create', '--external-gateway',
             'public', name + '-v6', delete=('router', 'delete'))
        for label, cidr in (('v6-global', '2001:db8:77::/64'),
                            ('v6-ula', 'fd00:77::/64'),
                            ('v6-isolated', '2001:db8:78::/64')):
            keep(label + '-net', demo, 'network', 'create',
                 name + '-' + label, delete=('network', 'delete'))
            subnet = demo.json(
                'subnet', 'create', '--network', made[label + '-net'],
                '--ip-version', '6', '--subnet-range', cidr,
                name + '-' + label)['id']
            if label != 'v6-isolated':
                demo.run('router', 'add', 'subnet', made['v6-router'],
                         subnet)
                undo.append((demo, 'router', 'remove', 'subnet',
                             made['v6-router'], subnet))
            keep(label, demo, 'port', 'create', '--network',
                 made[label + '-net'], '--security-group',
                 made['ssh-group'], name + '-' + label + '-port',
                 delete=('port', 'delete'))
        # shared with everyone, by flag and by RBAC; shared with one
        keep('shared', admin, 'network', 'create', '--share',
             name + '-shared', delete=('network', 'delete'))
        # and the other RBAC action: external for everyone, for one
        for label, action, target in (
                ('rbac-all', 'access_as_shared', ('--target-all-projects',)),
                ('rbac-one', 'access_as_shared', ('--target-project',
                                                  'demo')),
                ('ext-all', 'access_as_external', ('--target-all-projects',)),
                ('ext-one', 'access_as_external', ('--target-project',
                                                   'demo'))):
            keep(label, admin, 'network', 'create', name + '-' + label,
                 delete=('network', 'delete'))
            admin.run('network', 'rbac', 'create', '--type', 'network',
                      '--action', action, *target, made[label])
        yield made
    finally:
        for cli, *args in reversed(undo):
            if args[:2] == ['network', 'delete']:
                for rbac in cli.json('network', 'rbac', 'list',
                                     '--type', 'network'):
                    if rbac.get('Object ID') == args[2]:
                        cli.run('network', 'rbac', 'delete', rbac['ID'],
                                check=False)
            cli.run(*args, check=False)


def test_ports_reached_without_a_floating_ip(admin, direct):
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--fail-on', 'none', '-f', 'json', '--check',
                     'port-exposes-sensitive-port')
    found = {r['Resource ID']: r for r in json.loads(proc.stdout)}
    assert found[direct['ext-ssh']]['Detail'].startswith(
        'reachable by external network public (')
    assert found[direct['v6-global']]['Detail'].startswith(
        'reachable by global address 2001:db8:77:')
    assert re.search(r' routed by router xlx-\w+-v6; open to anywhere for '
                     r'ssh$', found[direct['v6-global']]['Detail'])
    for label in ('ext-web', 'v6-ula', 'v6-isolated'):
        assert direct[label] not in found, '%s wrongly reported' % label


def test_networks_shared_with_every_project(admin, direct):
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--fail-on', 'none', '-f', 'json', '--check',
                     'network-shared-all-projects')
    found = {r['Resource ID']: r for r in json.loads(proc.stdout)}
    assert found[direct['shared']]['Severity'] == 'low'
    assert found[direct['rbac-all']]['Detail'] == (
        'shared with every project (RBAC policy)')
    assert direct['rbac-one'] not in found
    # access_as_external to every project: Neutron shows router:external,
    # and the audit names the policy to delete
    ext = found[direct['ext-all']]
    assert (ext['Severity'], ext['Remediation']) == ('info', (
        'openstack network rbac delete %s' % _policy(
            admin, direct['ext-all'], 'access_as_external')))
    assert ext['Detail'].startswith('external to every project (RBAC')
    assert direct['ext-one'] not in found
    # the devcloud's public network: external, and shared with everyone
    [public] = [r for r in found.values() if r['Resource Name'] == 'public']
    assert public['Detail'].startswith('external and shared with every '
                                       'project')


def _policy(admin, network, action):
    [policy] = [r['ID'] for r in admin.json(
        'network', 'rbac', 'list', '--type', 'network', '--action', action,
        '--long') if r['Object ID'] == network]
    return policy
