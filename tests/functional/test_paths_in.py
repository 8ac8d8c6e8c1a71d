"""Every path in, planted on the production-shaped devcloud: the audit
reports each (naming it), `network harden explain` shows it, and its three
forms give the right verdicts; the look-alikes stay quiet."""

import json
import uuid

import pytest

FIP = 'fip-exposes-sensitive-port'
PORT = 'port-exposes-sensitive-port'


@pytest.fixture(scope='module')
def estate(devcloud, admin, demo):
    name = 'xlp-%s' % uuid.uuid4().hex[:6]
    made, undo = {'name': name}, []

    def keep(label, cli, *args, delete, field='id'):
        made[label] = cli.json(*args)[field]
        undo.append((cli,) + delete + (made[label],))
        return made[label]

    def port(label, net, *args):
        return keep(label, demo, 'port', 'create', '--network', net, *args,
                    '%s-%s' % (name, label), delete=('port', 'delete'))

    def network(label, cidr, router=None, *subnet_args, cli=demo):
        keep(label, cli, 'network', 'create', *(
            ('--project', 'demo') if cli is admin else ()),
            '%s-%s' % (name, label), delete=('network', 'delete'))
        ipv6 = ('--ip-version', '6') if ':' in cidr else ()
        made[label + '-subnet'] = cli.json(
            'subnet', 'create', '--network', made[label], *ipv6, *(
                ('--project', 'demo') if cli is admin else ()),
            *(('--subnet-range', cidr) if cidr else ()), *subnet_args,
            '%s-%s' % (name, label))['id']
        if router:
            admin.run('router', 'add', 'subnet', made[router],
                      made[label + '-subnet'])
            undo.append((admin, 'router', 'remove', 'subnet', made[router],
                         made[label + '-subnet']))

    try:
        ssh = keep('ssh', demo, 'security', 'group', 'create', name + '-ssh',
                   delete=('security', 'group', 'delete'))
        for ethertype, prefix in (('IPv4', '0.0.0.0/0'), ('IPv6', '::/0')):
            made['ssh-' + ethertype] = demo.json(
                'security', 'group', 'rule', 'create', ssh, '--ethertype',
                ethertype, '--protocol', 'tcp', '--dst-port', '22',
                '--remote-ip', prefix)['id']
        quiet = keep('quiet', demo, 'security', 'group', 'create',
                     name + '-quiet', delete=('security', 'group', 'delete'))
        # a router with SNAT; one without (only an admin may turn SNAT off)
        keep('snat', demo, 'router', 'create', '--external-gateway', 'public',
             name + '-snat', delete=('router', 'delete'))
        keep('nosnat', admin, 'router', 'create', '--project', 'demo',
             name + '-nosnat', delete=('router', 'delete'))
        admin.run('router', 'set', '--external-gateway', 'public',
                  '--disable-snat', made['nosnat'])
        network('a', '10.31.0.0/24', 'snat')
        network('a6', '2001:db8:31::/64', 'snat')
        network('nat-public', '45.78.0.0/24', 'snat')
        network('b', '10.32.0.0/24', 'nosnat')
        network('isolated', '45.77.0.0/24')
        network('isolated6', '2001:db8:32::/64')
        # forwarded: tcp 2222 to 22, and a udp range that holds no SSH
        port('fwd', made['a'], '--security-group', ssh)
        keep('fwd-fip', demo, 'floating', 'ip', 'create', 'public',
             delete=('floating', 'ip', 'delete'))
        made['fwd-address'] = demo.json('floating', 'ip', 'show',
                                        made['fwd-fip'])[
                                            'floating_ip_address']
        fixed = demo.json('port', 'show', made['fwd'])['fixed_ips'][0][
            'ip_address']
        made['fwd-ip'] = fixed
        for proto, outside, inside in (('tcp', '2222', '22'),
                                       ('udp', '18000:18010', '8000:8010')):
            demo.run('floating', 'ip', 'port', 'forwarding', 'create',
                     '--internal-ip-address', fixed, '--port', made['fwd'],
                     '--internal-protocol-port', inside,
                     '--external-protocol-port', outside, '--protocol',
                     proto, made['fwd-fip'])
        # a keepalived VIP: the floating IP on the reservation port reaches
        # the members holding the address; one member opens SSH
        # (made as `port vip add` makes it: a reservation port vip-<address>)
        port('member', made['a'], '--security-group', ssh)
        demo.run('port', 'vip', 'add', '10.31.0.100', '--port',
                 made['member'])
        [made['vip']] = [p['ID'] for p in demo.json(
            'port', 'list', '--network', made['a'], '--name',
            'vip-10.31.0.100')]
        undo.append((demo, 'port', 'delete', made['vip']))
        port('other', made['a'], '--security-group', quiet)
        keep('vip-fip', demo, 'floating', 'ip', 'create', 'public',
             '--port', made['vip'], delete=('floating', 'ip', 'delete'))
        # direct: behind no SNAT, global IPv6 behind a gateway, and the
        # look-alikes: isolated public and global, NATed public
        port('nosnat-vm', made['b'], '--security-group', ssh)
        port('v6-vm', made['a6'], '--security-group', ssh)
        port('isolated-vm', made['isolated'], '--security-group', ssh)
        port('isolated6-vm', made['isolated6'], '--security-group', ssh)
        port('nat-public-vm', made['nat-public'], '--security-group', ssh)
        # two groups, each admitting half of the address space: no rule
        # is world-open, the port is
        for label, prefix in (('low', '0.0.0.0/1'), ('high', '128.0.0.0/1')):
            keep(label, demo, 'security', 'group', 'create',
                 '%s-%s' % (name, label),
                 delete=('security', 'group', 'delete'))
            demo.run('security', 'group', 'rule', 'create', made[label],
                     '--protocol', 'tcp', '--dst-port', '22',
                     '--remote-ip', prefix)
        port('halves-vm', made['b'], '--security-group', made['low'],
             '--security-group', made['high'])
        # from other projects: a group of the admin project shared with
        # every project, named as the remote group of a demo rule
        keep('everyone', admin, 'security', 'group', 'create',
             name + '-everyone', delete=('security', 'group', 'delete'))
        keep('everyone-rbac', admin, 'network', 'rbac', 'create', '--type',
             'security_group', '--action', 'access_as_shared',
             '--target-all-projects', made['everyone'],
             delete=('network', 'rbac', 'delete'))
        made['from-everyone'] = demo.json(
            'security', 'group', 'rule', 'create', quiet, '--protocol',
            'tcp', '--dst-port', '5432', '--remote-group',
            made['everyone'])['id']
        yield made
    finally:
        for cli, *args in reversed(undo):
            if args[:3] == ['floating', 'ip', 'delete']:
                _unforward(cli, args[3])
            cli.run(*args, check=False)


def _unforward(cli, fip):
    """Delete a floating IP's port forwardings: Neutron refuses to delete
    a floating IP that still forwards (409)."""
    proc = cli.run('floating', 'ip', 'port', 'forwarding', 'list', fip,
                   '-f', 'json', check=False)
    for forwarding in json.loads(proc.stdout) if proc.returncode == 0 \
            else ():
        cli.run('floating', 'ip', 'port', 'forwarding', 'delete', fip,
                forwarding['ID'], check=False)


def _audit(admin, check):
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--fail-on', 'none', '-f', 'json', '--check', check)
    return json.loads(proc.stdout)


def test_the_audit_names_each_path(admin, estate):
    fips = {(r['Resource ID'], r['Detail Key']): r['Detail']
            for r in _audit(admin, FIP)}
    name = estate['name']
    assert fips[(estate['fwd-fip'], 'forwarding tcp 2222')] == (
        'forwards tcp 2222 to 22 to port %s-fwd, open to anywhere for ssh'
        % name)
    # the udp range forwards no SSH
    assert [k for k in fips if k[0] == estate['fwd-fip']] == [
        (estate['fwd-fip'], 'forwarding tcp 2222')]
    assert fips[(estate['vip-fip'], 'VIP %s' % estate['member'])] == (
        'reaches VIP 10.31.0.100 held by port %s-member, open to anywhere '
        'for ssh' % name)
    assert [k for k in fips if k[0] == estate['vip-fip']] == [
        (estate['vip-fip'], 'VIP %s' % estate['member'])]
    ports = {r['Resource ID']: r['Detail'] for r in _audit(admin, PORT)}
    assert ports[estate['nosnat-vm']].startswith(
        'reachable by router %s-nosnat without SNAT (10.32.0.' % name)
    assert ports[estate['v6-vm']].startswith(
        'reachable by global address 2001:db8:31:')
    assert 'routed by router %s-snat' % name in ports[estate['v6-vm']]
    assert ports[estate['halves-vm']].startswith(
        'reachable by router %s-nosnat without SNAT (10.32.0.' % name)
    for label in ('isolated-vm', 'isolated6-vm', 'nat-public-vm', 'fwd',
                  'member', 'other'):
        assert estate[label] not in ports, '%s wrongly reported' % label


def _explain(cli, port, *args):
    return cli.json('network', 'harden', 'explain', port, *args)


def test_explain_shows_every_path_in(demo, estate):
    rows = _explain(demo, estate['fwd'])
    assert set(rows[0]) == {'Source', 'Entry', 'Admits', 'Rules'}
    by_entry = {r['Entry']: r for r in rows}
    tcp = by_entry['port forwarding %s tcp 2222 to 22' % estate[
        'fwd-address']]
    assert (tcp['Source'], tcp['Rules']) == ('internet', [estate['ssh-IPv4']])
    assert tcp['Admits'] == 'IPv4 tcp port 22 from 0.0.0.0/0'
    udp = by_entry['port forwarding %s udp 18000:18010 to 8000:8010'
                   % estate['fwd-address']]
    assert (udp['Admits'], udp['Rules']) == ('nothing', [])
    assert by_entry['network %s-a' % estate['name']]['Source'] == \
        'own network'
    member = {r['Entry'] for r in _explain(demo, estate['member'])}
    assert any(e.startswith('floating IP ') and ' to VIP 10.31.0.100 ' in e
               for e in member)
    nosnat = _explain(demo, estate['nosnat-vm'])
    assert [r['Entry'] for r in nosnat if r['Source'] == 'internet'] == [
        'router %s-nosnat without SNAT (%s)' % (estate['name'], demo.json(
            'port', 'show', estate['nosnat-vm'])['fixed_ips'][0][
                'ip_address'])]
    assert [r for r in _explain(demo, estate['isolated-vm'])
            if r['Source'] == 'internet'] == []
    # any project's port may join the shared group and reach port 5432
    [shared] = [r for r in _explain(demo, estate['other'])
                if r['Source'] == 'other projects']
    assert shared['Entry'].startswith('security group %s-everyone, shared'
                                      % estate['name'])
    assert shared['Rules'] == [estate['from-everyone']]


@pytest.mark.parametrize('label, flow, verdict, says', [
    ('fwd', ('8.8.8.8', 'tcp', '22'), 'admitted', 'port forwarding'),
    ('fwd', ('8.8.8.8', 'tcp', '80'), 'dropped', 'no path in carries'),
    ('fwd', ('8.8.8.8', 'udp', '8005'), 'dropped', 'no rule'),
    ('member', ('8.8.8.8', 'tcp', '22'), 'admitted', 'to VIP 10.31.0.100'),
    # (only the shared group's path carries it, and its rule admits 5432)
    ('other', ('8.8.8.8', 'tcp', '22'), 'dropped', 'no rule'),
    ('other', ('10.31.0.9', 'tcp', '22'), 'dropped', 'no rule'),
    ('other', ('10.99.0.9', 'tcp', '5432'), 'admitted', 'from other '
     'projects by security group'),
    ('halves-vm', ('8.8.8.8', 'tcp', '22'), 'admitted', 'without SNAT'),
    ('halves-vm', ('200.1.2.3', 'tcp', '22'), 'admitted', 'without SNAT'),
    ('isolated-vm', ('8.8.8.8', 'tcp', '22'), 'dropped', 'no path in'),
    ('isolated-vm', ('45.77.0.9', 'tcp', '22'), 'admitted',
     'from its own network'),
])
def test_explain_judges_a_flow(demo, estate, label, flow, verdict, says):
    source, protocol, number = flow
    [row] = _explain(demo, estate[label], '--from', source, '--protocol',
                     protocol, '--port', number)
    assert row['Verdict'] == verdict, row
    assert says in row['Reason']
    if verdict == 'admitted' and label in ('fwd', 'member'):
        assert estate['ssh-IPv4'] in row['Reason']


def test_explain_judges_a_send(demo, estate):
    [held] = _explain(demo, estate['member'], '--send-as', '10.31.0.100')
    assert held == {'Verdict': 'allowed',
                    'Reason': 'allowed address pair 10.31.0.100'}
    [fixed] = _explain(demo, estate['fwd'], '--send-as', estate['fwd-ip'])
    assert fixed['Verdict'] == 'allowed'
    [dropped] = _explain(demo, estate['other'], '--send-as', '10.31.0.100')
    assert dropped['Verdict'] == 'dropped'
    assert dropped['Reason'].startswith('anti-spoofing drops it')
    assert dropped['Reason'].endswith(
        'openstack port vip add 10.31.0.100 --port %s --dry-run'
        % estate['other'])
    # the command it gives works: a dry run of it plans the pair
    plan = demo.run('port', 'vip', 'add', '10.31.0.100', '--port',
                    estate['other'], '--dry-run')
    assert estate['other'] in plan.stdout or 'other' in plan.stdout


def test_explain_refuses_bad_input_in_one_line(demo, estate):
    for args in (('--from', 'nowhere', '--protocol', 'tcp'),
                 ('--from', '8.8.8.8'),
                 ('--port', '22'),
                 ('--from', '8.8.8.8', '--protocol', 'tcp', '--port', '0'),
                 ('--from', '8.8.8.8', '--protocol', 'nonsense'),
                 ('--send-as', '10.0.0.1,not-a-mac')):
        proc = demo.run('network', 'harden', 'explain', estate['fwd'],
                        *args, check=False)
        assert proc.returncode == 1, args
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.fixture
def scoped(devcloud, admin, demo):
    """An address scope holding an external network's subnet and a demo
    subnet: the router between routes the demo subnet without NAT."""
    name = 'xlq-%s' % uuid.uuid4().hex[:6]
    made, undo = {'name': name}, []

    def keep(label, cli, *args, delete):
        made[label] = cli.json(*args)['id']
        undo.append((cli,) + delete + (made[label],))

    try:
        # first made, last deleted: the ports that use it go before it
        keep('ssh', demo, 'security', 'group', 'create', name + '-ssh',
             delete=('security', 'group', 'delete'))
        demo.run('security', 'group', 'rule', 'create', made['ssh'],
                 '--protocol', 'tcp', '--dst-port', '22', '--remote-ip',
                 '0.0.0.0/0')
        keep('scope', admin, 'address', 'scope', 'create', '--share',
             '--ip-version', '4', name, delete=('address', 'scope',
                                                'delete'))
        for label, prefix in (('ext-pool', '10.90.0.0/16'),
                              ('pool', '10.91.0.0/16')):
            keep(label, admin, 'subnet', 'pool', 'create', '--share',
                 '--address-scope', made['scope'], '--pool-prefix', prefix,
                 '--default-prefix-length', '24', name + '-' + label,
                 delete=('subnet', 'pool', 'delete'))
        keep('ext', admin, 'network', 'create', '--external', name + '-ext',
             delete=('network', 'delete'))
        admin.run('subnet', 'create', '--network', made['ext'],
                  '--subnet-pool', made['ext-pool'], name + '-ext')
        keep('router', admin, 'router', 'create', '--project', 'demo',
             '--external-gateway', made['ext'], name,
             delete=('router', 'delete'))
        for label, pool in (('in-scope', ('--subnet-pool', made['pool'])),
                            ('outside', ('--subnet-range',
                                         '10.92.0.0/24'))):
            keep(label, demo, 'network', 'create', name + '-' + label,
                 delete=('network', 'delete'))
            subnet = demo.json('subnet', 'create', '--network', made[label],
                               *pool, name + '-' + label)['id']
            admin.run('router', 'add', 'subnet', made['router'], subnet)
            undo.append((admin, 'router', 'remove', 'subnet',
                         made['router'], subnet))
            keep(label + '-vm', demo, 'port', 'create', '--network',
                 made[label], name + '-' + label + '-vm',
                 delete=('port', 'delete'))
        for label in ('in-scope-vm', 'outside-vm'):
            demo.run('port', 'set', '--no-security-group',
                     '--security-group', made['ssh'], made[label])
        yield made
    finally:
        for cli, *args in reversed(undo):
            cli.run(*args, check=False)


def test_a_subnet_in_the_gateways_address_scope(admin, demo, scoped):
    ports = {r['Resource ID']: r['Detail'] for r in _audit(admin, PORT)}
    assert ports[scoped['in-scope-vm']].startswith(
        'reachable by router %s, in the address scope of its gateway '
        '(10.91.' % scoped['name'])
    assert scoped['outside-vm'] not in ports       # NATed
    [row] = _explain(demo, scoped['in-scope-vm'], '--from', '10.90.0.50',
                     '--protocol', 'tcp', '--port', '22')
    assert row['Verdict'] == 'admitted'
    assert 'in the address scope of its gateway' in row['Reason']
    [row] = _explain(demo, scoped['outside-vm'], '--from', '10.90.0.50',
                     '--protocol', 'tcp', '--port', '22')
    assert row['Verdict'] == 'dropped'


def test_a_members_fake_router_interface_hides_no_router(demo):
    """A project audit cannot see an admin's router on the project's
    subnet: a port the member makes claiming to be its own NATed router's
    interface (Neutron lets a network's owner) keeps "routing not read"."""
    name = 'xlf-%s' % uuid.uuid4().hex[:6]
    made = {}
    try:
        made['router'] = demo.json('router', 'create', '--external-gateway',
                                   'public', name)['id']
        made['net'] = demo.json('network', 'create', name)['id']
        demo.run('subnet', 'create', '--network', made['net'],
                 '--subnet-range', '45.79.0.0/24', name)
        made['fake'] = demo.json(
            'port', 'create', '--network', made['net'], '--device-owner',
            'network:router_interface', '--device', made['router'],
            name + '-if')['id']
        made['ssh'] = demo.json('security', 'group', 'create', name)['id']
        demo.run('security', 'group', 'rule', 'create', made['ssh'],
                 '--protocol', 'tcp', '--dst-port', '22', '--remote-ip',
                 '0.0.0.0/0')
        made['vm'] = demo.json('port', 'create', '--network', made['net'],
                               '--security-group', made['ssh'],
                               name + '-vm')['id']
        rows = demo.json('network', 'harden', 'audit', '--fail-on', 'none',
                         '--check', PORT)
        details = {r['Resource ID']: r['Detail'] for r in rows}
        assert details[made['vm']].startswith(
            'reachable by public address 45.79.0.')
        assert '(routing not read); open to anywhere for ssh' in \
            details[made['vm']]
    finally:
        if 'fake' in made:       # Neutron keeps an interface port: unclaim
            demo.run('port', 'set', '--device-owner', '', made['fake'],
                     check=False)
        for args in (('port', 'delete', made.get('vm')),
                     ('port', 'delete', made.get('fake')),
                     ('security', 'group', 'delete', made.get('ssh')),
                     ('network', 'delete', made.get('net')),
                     ('router', 'delete', made.get('router'))):
            if args[-1]:
                demo.run(*args, check=False)
