"""port vip add / remove / list, through the real CLI."""

import json
import os
import uuid

import pytest

from tests.functional.conftest import CLI


@pytest.fixture(scope='module')
def group(devcloud):
    """Three ports of a VRRP group on one network, plus odd ones out."""
    demo = CLI(os.path.join(devcloud, 'demo-openrc.sh'))
    name = 'xlv-%s' % uuid.uuid4().hex[:6]
    net = demo.json('network', 'create', name)['id']
    # Ports get addresses below .100; the VIPs used here are above it.
    demo.run('subnet', 'create', '--network', net, '--subnet-range',
             '10.66.0.0/24', '--allocation-pool',
             'start=10.66.0.2,end=10.66.0.99', name)
    other = demo.json('network', 'create', name + '-other')['id']
    ports = [demo.json('port', 'create', '--network', net,
                       '%s-%d' % (name, i))['id'] for i in range(3)]
    odd = {
        'other-net': demo.json('port', 'create', '--network', other,
                               name + '-o')['id'],
        'no-ps': demo.json('port', 'create', '--network', net,
                           '--disable-port-security', '--no-security-group',
                           name + '-nops')['id'],
    }
    yield {'cli': demo, 'net': net, 'ports': ports, 'odd': odd,
           'name': name}
    leftovers = [p['ID'] for p in demo.json('port', 'list', '--network',
                                            net)]
    demo.run('port', 'delete', *leftovers, odd['other-net'], check=False)
    demo.run('network', 'delete', net, other, check=False)


def _pairs(cli, port):
    return sorted(p['ip_address'] for p in cli.json(
        'port', 'show', port)['allowed_address_pairs'])


def _snapshot(group):
    cli = group['cli']
    return {p: cli.json('port', 'show', p)
            for p in group['ports'] + list(group['odd'].values())}


def _vip(group, *args, check=True):
    return group['cli'].run('port', 'vip', *args, check=check)


def _port_args(ports):
    return [a for p in ports for a in ('--port', p)]


def test_add_is_idempotent_and_remove_releases(group):
    cli, ports = group['cli'], group['ports']
    rows = json.loads(_vip(group, 'add', '10.66.0.100',
                           *_port_args(ports), '-f', 'json').stdout)
    assert [r['Action'] for r in rows] == ['added'] * 3 + ['reserved']
    for port in ports:
        assert _pairs(cli, port) == ['10.66.0.100']
    reservation = cli.json('port', 'show', rows[3]['Port'])
    assert reservation['name'] == 'vip-10.66.0.100'
    assert [f['ip_address'] for f in reservation['fixed_ips']] == [
        '10.66.0.100']

    [listed] = [v for v in cli.json('port', 'vip', 'list', '--network',
                                    group['net'])
                if v['Address'] == '10.66.0.100']
    assert sorted(listed['Member Ports']) == sorted(ports)
    assert listed['Reservation'] == reservation['id']

    rows = json.loads(_vip(group, 'add', '10.66.0.100',
                           *_port_args(ports), '-f', 'json').stdout)
    assert [r['Action'] for r in rows] == ['unchanged'] * 3 + [
        'reservation kept']

    rows = json.loads(_vip(group, 'remove', '10.66.0.100', '--all-ports',
                           '--release', '-f', 'json').stdout)
    assert sorted(r['Action'] for r in rows) == ['released'] + [
        'removed'] * 3
    for port in ports:
        assert _pairs(cli, port) == []
    proc = cli.run('port', 'show', reservation['id'], check=False)
    assert proc.returncode != 0   # deleted
    rows = json.loads(_vip(group, 'remove', '10.66.0.100',
                           *_port_args(ports[:1]), '-f', 'json').stdout)
    assert [r['Action'] for r in rows] == ['unchanged']


def _reset(group):
    """No pairs on the group's ports, no reservations on the network."""
    cli = group['cli']
    for port in group['ports']:
        cli.run('port', 'set', '--no-allowed-address', port)
    reservations = [p['ID'] for p in cli.json('port', 'list', '--network',
                                              group['net'])
                    if p['Name'].startswith('vip-')]
    if reservations:
        cli.run('port', 'delete', *reservations)


def test_ten_concurrent_adds_all_land(group):
    try:
        _check_ten_concurrent_adds(group)
    finally:
        _reset(group)


def _check_ten_concurrent_adds(group):
    cli, ports = group['cli'], group['ports']
    addresses = ['10.66.0.%d' % (150 + i) for i in range(10)]
    forked = CLI(cli.openrc, fork=True)
    procs = forked.together([
        ['port', 'vip', 'add', address, *_port_args(ports), '-f', 'json']
        for address in addresses])
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
    for port in ports:
        assert _pairs(cli, port) == sorted(addresses)
    # The guard did real work: without If-Match these concurrent
    # read-modify-write updates would have dropped each other's pairs.
    retries = sum(r['Retries'] for proc in procs
                  for r in json.loads(proc.stdout))
    assert retries > 0
    for address in addresses:
        _vip(group, 'remove', address, '--all-ports', '--release')
    for port in ports:
        assert _pairs(cli, port) == []


@pytest.mark.parametrize('args, expect', [
    (['10.66.0.120', '--port', 'xlv-no-such-port'], 'no port'),
    (['10.66.0.120', '{p0}', '--port', '{other-net}'], '2 networks'),
    (['10.77.0.120', '{p0}'], 'not inside any subnet'),
    (['0.0.0.0/0', '{p0}'], 'every address'),
    (['10.66.0.0/28', '{p0}'], '--allow-prefix'),
    (['10.66.0.120', '{p0}', '--mac-address', 'fa:16:3e:zz:00:01'],
     'not a MAC'),
    (['10.66.0.120', '{p0}', '--mac-address', '01:00:5e:00:00:01'],
     'multicast'),
    (['10.66.0.120', '{p0}', '--port', '{no-ps}'], 'port security'),
])
def test_bad_input_changes_nothing(group, args, expect):
    names = dict(group['odd'])
    names['p0'] = '--port=%s' % group['ports'][0]
    argv = [a.format(**names) for a in args]
    before = _snapshot(group)
    proc = _vip(group, 'add', *argv, check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], proc.stderr
    assert _snapshot(group) == before


def test_another_projects_port_is_refused(group, admin, unique, cleanup):
    net = admin.json('network', 'create', unique)['id']
    cleanup.append((admin, 'network', 'delete', net))
    port = admin.json('port', 'create', '--network', net, unique)['id']
    cleanup.insert(1, (admin, 'port', 'delete', port))
    before = _snapshot(group)
    proc = _vip(group, 'add', '10.66.0.121', '--port', group['ports'][0],
                '--port', port, check=False)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1
    assert _snapshot(group) == before
    assert admin.json('port', 'show', port)['allowed_address_pairs'] == []


def test_failure_part_way_is_rolled_back(group):
    cli, ports = group['cli'], group['ports']
    # Neutron allows 10 pairs per port by default: fill the last port.
    fill = [a for i in range(10)
            for a in ('--allowed-address', 'ip-address=10.66.1.%d' % i)]
    cli.run('port', 'set', '--no-allowed-address', *fill, ports[2])
    try:
        before = _snapshot(group)
        proc = _vip(group, 'add', '10.66.0.130', *_port_args(ports),
                    check=False)
        assert proc.returncode != 0
        assert 'rolled back' in proc.stderr
        assert 'reservation' in proc.stderr
        assert {p: {k: v for k, v in s.items()
                    if k not in ('revision_number', 'updated_at')}
                for p, s in _snapshot(group).items()} == {
            p: {k: v for k, v in s.items()
                if k not in ('revision_number', 'updated_at')}
            for p, s in before.items()}
        holders = cli.json('port', 'list', '--fixed-ip',
                           'ip-address=10.66.0.130')
        assert holders == []
    finally:
        cli.run('port', 'set', '--no-allowed-address', ports[2])


@pytest.mark.parametrize('who', ['demo', 'demo-manager'])
def test_a_look_alike_reservation_of_a_member_is_never_taken(
        devcloud, admin, who):
    """The admin's VRRP ports are on the admin's network, shared with demo
    through RBAC. A demo user (member, or manager only) makes a port
    holding the VIP, named and owned like the tool's reservation. The
    admin's `port vip add` refuses in one line naming the port and its
    project, and changes nothing; `--release` never deletes it."""
    member = CLI(os.path.join(devcloud, who + '-openrc.sh'))
    name = 'xlv-%s' % uuid.uuid4().hex[:6]
    net = admin.json('network', 'create', name)['id']
    try:
        admin.run('subnet', 'create', '--network', net, '--subnet-range',
                  '10.67.0.0/24', '--allocation-pool',
                  'start=10.67.0.2,end=10.67.0.99', name)
        admin.run('network', 'rbac', 'create', '--type', 'network',
                  '--action', 'access_as_shared', '--target-project',
                  'demo', net)
        ports = [admin.json('port', 'create', '--network', net,
                            '%s-%d' % (name, i))['id'] for i in range(2)]
        # a member may not choose the address on a network it does not
        # own: it takes the one it gets, and names the port after it
        fake = member.json('port', 'create', '--network', net,
                           '--device-owner', 'xloud:vip', '--disable',
                           name + '-fake')
        address = fake['fixed_ips'][0]['ip_address']
        member.run('port', 'set', '--name', 'vip-' + address, fake['id'])
        before = {p: admin.json('port', 'show', p) for p in ports}
        proc = admin.run('port', 'vip', 'add', address, *_port_args(ports),
                         check=False)
        assert proc.returncode == 1
        line = proc.stderr.strip().splitlines()[-1]
        assert ('%s is held by port %s of project %s, named and owned like '
                'a VIP reservation' % (address, fake['id'],
                                       fake['project_id'])) in line
        assert {p: admin.json('port', 'show', p) for p in ports} == before
        admin.run('port', 'vip', 'remove', address, '--all-ports',
                  '--network', net, '--release', '--project', 'admin',
                  check=False)
        assert fake['id'] in [p['ID'] for p in admin.json(
            'port', 'list', '--network', net)]
        member.run('port', 'delete', fake['id'])
    finally:
        for port in admin.json('port', 'list', '--network', net):
            admin.run('port', 'delete', port['ID'], check=False)
        admin.run('network', 'delete', net, check=False)
