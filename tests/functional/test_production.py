"""What only a production-shaped Neutron shows (tools/devcloud with
XLOUD_DEVCLOUD_SHAPE=production: ML2/OVN, MariaDB, several workers, the
port forwarding and trunk plugins): Neutron's own metadata ports, floating
IPs used by port forwardings, trunk subports, and listings under churn.

These tests need that shape and fail, saying so, on any other.
"""

import json
import os
import uuid

import pytest

from tests.functional.conftest import CLI
from tests.functional.conftest import read_openrc
from tests.functional.conftest import STATE
from tests.functional.faultproxy import FaultProxy
from tests.functional import figures
from tests.functional.inproc import InProcessCLI
from tests.functional.world import module_world
from tests.functional.world import neutron_port

world = module_world('production', cidr='10.93.0.0/24')
META = 'network:distributed'


@pytest.fixture(scope='module')
def production(devcloud):
    with open(os.path.join(STATE, 'initialised')) as f:
        shape = json.load(f).get('shape')
    if shape != 'production':
        pytest.fail('these tests need the production shape (tools/devcloud '
                    'with XLOUD_DEVCLOUD_SHAPE=production); %s is %s'
                    % (STATE, shape or 'default'), pytrace=False)


@pytest.fixture(scope='module')
def cli(production, world):
    return CLI(world.openrc)


def _audit(cli, *args):
    proc = cli.run('network', 'harden', 'audit', '-f', 'json', *args,
                   check=False)
    assert proc.returncode in (0, 3), proc.stderr
    return json.loads(proc.stdout)


def _found(cli, check, *scope):
    return sorted(f['Resource ID'] for f in _audit(cli, '--check', check,
                                                   *scope))


def _metadata_ports(world, **filters):
    return [p for p in world._get('ports', dict(filters, device_owner=META))
            if p['device_id'] == 'ovnmeta-' + p['network_id']]


# --- Neutron's own ports ---------------------------------------------------

def test_neutrons_metadata_ports_are_quiet_and_look_alikes_reported(
        cli, world):
    [meta] = _metadata_ports(world, network_id=world.network)
    # What Neutron made: port security off, no groups, never bound.
    assert (meta['port_security_enabled'], meta['security_groups'],
            meta['binding:host_id']) == (False, [], '')

    def look_alike(device, **more):
        return world._post('ports', dict({
            'network_id': world.network, 'project_id': world.project,
            'device_owner': META, 'device_id': device,
            'port_security_enabled': False, 'security_groups': []},
            **more))['id']
    # bound to a host as Nova binds an instance's port: in use
    bound = look_alike('ovnmeta-' + world.network,
                       **{'binding:host_id': 'compute-1'})
    # the metadata device of another network
    other = look_alike('ovnmeta-' + str(uuid.uuid4()))
    plain = world._post('ports', {
        'network_id': world.network, 'project_id': world.project,
        'port_security_enabled': False, 'security_groups': []})['id']
    try:
        found = _found(cli, 'port-security-disabled', '--project',
                       world.project)
        assert found == sorted([bound, other, plain])
        # Every metadata port of the cloud (one per network), in an
        # all-projects audit: none reported.
        every = {p['id'] for p in _metadata_ports(world)} - {bound}
        assert meta['id'] in every
        reported = {f['Resource ID'] for f in _audit(cli, '--all-projects')}
        assert not every & reported
        figures.record('metadata ports: %d in the cloud, none reported; '
                       '3 look-alikes reported' % len(every))
    finally:
        for port in (bound, other, plain):
            world.net.delete('/ports/' + port)


def test_a_member_sees_its_metadata_port_quiet_and_a_copy_reported(
        production, devcloud, unique):
    demo = CLI(os.path.join(devcloud, 'demo-openrc.sh'))
    net = demo.json('network', 'create', unique)['id']
    try:
        demo.run('subnet', 'create', unique, '--network', net,
                 '--subnet-range', '10.94.0.0/24')
        assert _found(demo, 'port-security-disabled') == []
        # A copy of the metadata port's shape: one of the two is reported
        # (a member cannot read the binding that tells them apart).
        copy = demo.json('port', 'create', unique + '-copy', '--network',
                         net, '--device-owner', META, '--device',
                         'ovnmeta-' + net, '--disable-port-security',
                         '--no-security-group')['id']
        found = _found(demo, 'port-security-disabled')
        metas = [p['ID'] for p in demo.json('port', 'list', '--network', net,
                                            '--device-owner', META)]
        assert copy in metas and len(metas) == 2
        assert len(found) == 1 and found[0] in metas
    finally:
        demo.run('network', 'delete', net, check=False)


# --- floating IPs used by port forwardings --------------------------------

@pytest.fixture
def forwarded(cli, world):
    """(forwarded floating IP, unassociated floating IP) in the world."""
    world.routed()
    public = world._get('networks', {'name': 'public'})[0]['id']
    fips = [world._post('floatingips', {
        'floating_network_id': public, 'project_id': world.project})
        for _ in range(2)]
    port = world.port(world.p1)
    resp = world.net.post('/floatingips/%s/port_forwardings' % fips[0]['id'],
                          json={'port_forwarding': {
                              'protocol': 'tcp', 'external_port': 2222,
                              'internal_port': 22,
                              'internal_port_id': world.p1,
                              'internal_ip_address':
                                  port['fixed_ips'][0]['ip_address']}})
    assert resp.status_code == 201, resp.text
    yield fips
    pf = resp.json()['port_forwarding']['id']
    world.net.delete('/floatingips/%s/port_forwardings/%s'
                     % (fips[0]['id'], pf))
    for fip in fips:
        world.net.delete('/floatingips/' + fip['id'])


def test_a_forwarded_floating_ip_is_in_use_for_the_audit_and_release(
        cli, world, forwarded):
    used, free = forwarded
    assert _found(cli, 'fip-unassociated', '--project', world.project) == [
        free['id']]
    dry = cli.run('floating', 'ip', 'harden', 'release', '--project',
                  world.project, '--dry-run', '-f', 'json')
    assert [r['ID'] for r in json.loads(dry.stdout)] == [free['id']]
    project = world.conn.identity.get_project(world.project).name
    assert 'plan: keeping %s (project %s): in use by 1 port forwarding' % (
        used['floating_ip_address'], project) in dry.stderr
    proc = cli.run('floating', 'ip', 'harden', 'release', used['id'],
                   '--project', world.project, check=False)
    assert proc.returncode == 1
    [line] = proc.stderr.strip().splitlines()
    assert 'in use by 1 port forwarding' in line and \
        'nothing was released' in line
    assert {f['id'] for f in world.floating_ips()} >= {used['id'],
                                                       free['id']}


@pytest.mark.parametrize('when', ['PUT', 'DELETE'])
def test_an_association_before_the_claim_or_the_delete_keeps_the_address(
        world, busy, when):
    """Through the proxy, the floating IP is associated just before the
    release's claim (PUT) or its delete reaches Neutron: Neutron answers
    412, the release reads again and keeps the address, associated."""
    proxy, tool = busy
    world.routed()
    address = '172.24.4.211'
    world.set_floating_ips([(address, 'guard', [])])
    [fip] = [f for f in world.floating_ips()
             if f['floating_ip_address'] == address]
    done = []

    def before(method, path):
        if method == when and path.startswith('/v2.0/floatingips/' +
                                              fip['id']) and not done:
            world._put('/floatingips/' + fip['id'],
                       {'floatingip': {'port_id': world.p1}})
            done.append(path)
    proxy.before = before
    try:
        proc = tool.run('floating', 'ip', 'harden', 'release', address,
                        '--project', world.project, '-f', 'json')
    finally:
        proxy.before = None
    try:
        assert done, 'the release sent no %s' % when
        [row] = json.loads(proc.stdout)
        assert row['Action'].startswith('kept: associated with port %s'
                                        % world.p1), row
        [after] = [f for f in world.floating_ips()
                   if f['floating_ip_address'] == address]
        assert after['port_id'] == world.p1
    finally:
        world._put('/floatingips/' + fip['id'],
                   {'floatingip': {'port_id': None}})
        world.set_floating_ips([])


# --- trunk subports --------------------------------------------------------

@pytest.fixture
def trunk(cli, world):
    """(parent, [two subports]) on the world's network, in a trunk."""
    parent = world._port('trunk-parent', [world.default])
    subs = [world._port('trunk-sub%d' % i, [world.default])
            for i in range(2)]
    made = world._post('trunks', {
        'port_id': parent, 'project_id': world.project,
        'sub_ports': [{'port_id': s, 'segmentation_type': 'vlan',
                       'segmentation_id': 100 + i}
                      for i, s in enumerate(subs)]})
    yield parent, subs
    world.net.delete('/trunks/' + made['id'])
    for port in [parent] + subs:
        world.net.delete('/ports/' + port)


def test_subports_are_audited_and_changed_like_any_port(cli, world, trunk):
    parent, (sub, other) = trunk
    assert world.port(sub)['device_owner'] == 'trunk:subport'
    world._put('/ports/' + sub, {'port': {'port_security_enabled': False,
                                          'security_groups': []}})
    assert sub in _found(cli, 'port-security-disabled', '--project',
                         world.project)
    world._put('/ports/' + sub, {'port': {'port_security_enabled': True,
                                          'security_groups': [
                                              world.default]}})
    # A documented exception on a subport, and back.
    done = cli.json('port', 'security', 'disable', sub, '--reason',
                    'VNF subport, CHG-7', '--review-in', '30')
    assert done['Action'] == 'disabled'
    assert world.port(sub)['port_security_enabled'] is False
    assert sub not in _found(cli, 'port-security-disabled', '--project',
                             world.project)
    assert cli.json('port', 'security', 'enable', sub)['Action'] == 'enabled'
    back = world.port(sub)
    assert (back['port_security_enabled'], back['security_groups']) == (
        True, [world.default])
    # A VIP on two subports (keepalived on VLAN interfaces), and off.
    vip = '10.93.0.200'
    cli.run('port', 'vip', 'add', vip, '--port', sub, '--port', other)
    for port in (sub, other):
        assert [p['ip_address'] for p in world.port(port)[
            'allowed_address_pairs']] == [vip]
    cli.run('port', 'vip', 'remove', vip, '--all-ports', '--release')
    for port in (sub, other):
        assert world.port(port)['allowed_address_pairs'] == []


# --- listings under churn --------------------------------------------------

PER_TYPE = 5


@pytest.fixture(scope='module')
def crowd(production, world):
    """{audited type: IDs the test may delete}: PER_TYPE of each in the
    world's project (fewer where one holds the others)."""
    pid = world.project
    public = world._get('networks', {'name': 'public'})[0]['id']

    def many(collection, body):
        return [world._post(collection, dict(body(i), project_id=pid))['id']
                for i in range(PER_TYPE)]
    crowd = {
        'networks': many('networks', lambda i: {'name': 'xlc-net%d' % i}),
        'ports': many('ports', lambda i: {'network_id': world.network,
                                          'name': 'xlc-port%d' % i}),
        'security_groups': many('security-groups',
                                lambda i: {'name': 'xlc-sg%d' % i}),
        'floatingips': many('floatingips',
                            lambda i: {'floating_network_id': public}),
        'address_groups': many('address-groups', lambda i: {
            'name': 'xlc-ag%d' % i, 'addresses': ['10.9.%d.0/24' % i]}),
        'routers': many('routers', lambda i: {'name': 'xlc-r%d' % i}),
    }
    # What holds the subnets, rules and RBAC policies is not deleted (its
    # deletion would take them along).
    holder = crowd['networks'].pop(0)
    group = crowd['security_groups'].pop(0)
    crowd['subnets'] = many('subnets', lambda i: {
        'network_id': holder, 'cidr': '10.95.%d.0/24' % i,
        'ip_version': 4, 'enable_dhcp': False})
    crowd['security_group_rules'] = many('security-group-rules', lambda i: {
        'security_group_id': group,
        'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
        'port_range_min': 1000 + i, 'port_range_max': 1000 + i,
        'remote_ip_prefix': '0.0.0.0/0'})
    crowd['rbac_policies'] = []
    for _ in range(PER_TYPE):
        resp = world.net.post('/rbac-policies', json={'rbac_policy': {
            'object_type': 'network', 'object_id': holder,
            'action': 'access_as_shared', 'target_tenant': uuid.uuid4().hex,
            'project_id': pid}})
        assert resp.status_code == 201, resp.text
        crowd['rbac_policies'].append(resp.json()['rbac_policy']['id'])
    yield crowd
    for rtype in ('rbac_policies', 'subnets', 'networks',
                  'security_group_rules', 'security_groups', 'floatingips',
                  'address_groups', 'routers'):
        for item in crowd[rtype] + {'networks': [holder],
                                    'security_groups': [group]}.get(rtype, []):
            world.net.delete('/%s/%s' % (PATHS.get(rtype, rtype), item))


PATHS = {'security_groups': 'security-groups',
         'security_group_rules': 'security-group-rules',
         'address_groups': 'address-groups',
         'rbac_policies': 'rbac-policies'}


@pytest.fixture(scope='module')
def busy(production, world):
    """An admin's CLI through a proxy serving pages of 1 (every item is
    a marker)."""
    proxy = FaultProxy(neutron_port(), max_lifetime=1800)
    proxy.page_limit = 1
    yield proxy, InProcessCLI(read_openrc(world.openrc),
                              OS_NETWORK_ENDPOINT_OVERRIDE=proxy.url)
    proxy.stop()


def _scanned(tool, world):
    """(findings as (check, resource ID) rows, {type: items fetched})."""
    proc = tool.run('network', 'harden', 'audit', '--project',
                    world.project, '-f', 'json', '-v')
    assert proc.returncode in (0, 3), proc.stderr
    fetched = {}
    for line in proc.stderr.splitlines():
        if line.startswith('fetched '):
            rtype, count = line[len('fetched '):].split(': ')
            fetched[rtype] = int(count)
    rows = [(f['Check'], f['Resource ID'], f['Detail Key'])
            for f in json.loads(proc.stdout)]
    return rows, fetched


@pytest.mark.parametrize('rtype', [
    'networks', 'ports', 'subnets', 'security_groups',
    'security_group_rules', 'floatingips', 'address_groups', 'routers'])
def test_the_audit_completes_while_a_pages_marker_is_deleted(
        world, crowd, busy, rtype):
    proxy, tool = busy
    path = '/v2.0/%s' % PATHS.get(rtype, rtype)
    baseline, counted = _scanned(tool, world)
    deleted = []

    def before(method, request):
        if method != 'GET' or deleted or not request.startswith(path + '?'):
            return
        marker = [v for k, v in _query(request) if k == 'marker']
        if marker and marker[0] in crowd[rtype]:
            resp = world.net.delete('%s/%s' % (path[5:], marker[0]))
            assert resp.status_code == 204, resp.text
            deleted.append(marker[0])
            # What Neutron answers for a page after it now
            gone = world.net.get(path[5:], params={'limit': 1,
                                                   'marker': marker[0]})
            items = gone.json().get(rtype) if gone.ok else None
            deleted.append('HTTP %d' % gone.status_code if not gone.ok else
                           'an empty page' if not items else
                           'the first page again')
    proxy.before = before
    try:
        churned, fetched = _scanned(tool, world)
    finally:
        proxy.before = None
    assert deleted, 'no marker of %s was one of the test\'s' % rtype
    crowd[rtype].remove(deleted[0])
    after, recounted = _scanned(tool, world)
    # Nothing read twice or lost: the marker was read before it went.
    assert len(churned) == len(set(churned))
    assert fetched[rtype] == counted[rtype]
    assert recounted[rtype] == counted[rtype] - 1
    # Every finding on what lived throughout, none invented.
    assert set(after) <= set(churned) <= set(baseline)
    figures.record('churn: %s, marker deleted between pages (Neutron '
                   'answers %s), %d items read once each'
                   % (rtype, deleted[1], fetched[rtype]))


def test_rbac_policies_come_in_one_page_whatever_the_limit(
        world, crowd, busy):
    """Neutron 29 does not paginate RBAC policies (limit is ignored): a
    listing of them has no marker to lose."""
    proxy, tool = busy
    seen = []
    proxy.before = lambda method, path: seen.append(path)
    try:
        _, fetched = _scanned(tool, world)
    finally:
        proxy.before = None
    pages = [p for p in seen if p.startswith('/v2.0/rbac-policies?')]
    assert len(pages) == 1 and 'limit=1' in pages[0]
    assert fetched['rbac_policies'] >= PER_TYPE


def _query(path):
    import urllib.parse
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query)


# --- many networks ----------------------------------------------------------

NETWORKS = 40


def test_many_networks_and_their_instance_ports_no_finding_on_neutrons(
        production, world, cli):
    """The issue's measure: an all-projects audit of a cloud with 40
    networks (Neutron makes a metadata port on each) and an instance port
    on each reports nothing on a port Neutron made."""
    pid = world.project
    # An operator raises the project's quotas (Neutron's default: 100
    # networks, the world has one already).
    resp = world.net.put('/quotas/' + pid, json={'quota': {
        'network': NETWORKS + 10, 'subnet': NETWORKS + 10,
        'port': 3 * NETWORKS + 50}})
    assert resp.status_code == 200, resp.text

    def bulk(collection, bodies):
        key = collection.replace('-', '_')
        resp = world.net.post('/' + collection, json={key: bodies})
        assert resp.status_code == 201, resp.text
        return [i['id'] for i in resp.json()[key]]
    nets = bulk('networks', [{'name': 'xlh-net%d' % i, 'project_id': pid}
                             for i in range(NETWORKS)])
    try:
        bulk('subnets', [{'network_id': n, 'project_id': pid,
                          'ip_version': 4, 'cidr': '10.%d.%d.0/24' % (
                              96 + i // 250, i % 250)}
                         for i, n in enumerate(nets)])
        vms = bulk('ports', [{'network_id': n, 'project_id': pid,
                              'name': 'vm%d' % i,
                              'device_owner': 'compute:nova',
                              'device_id': str(uuid.uuid4())}
                             for i, n in enumerate(nets)])
        made = [p['id'] for p in world._get('ports', {'project_id': pid})
                if p['device_owner'].startswith('network:')]
        metadata = _metadata_ports(world, project_id=pid)
        assert len(metadata) >= NETWORKS
        rows = _audit(cli, '--all-projects')
        on_ports = {r['Resource ID'] for r in rows
                    if r['Resource Type'] == 'port'}
        assert not on_ports & set(made)
        figures.record('%d networks: %d ports Neutron made in the project '
                       '(%d metadata ports), none reported; %d instance '
                       'ports, %d findings on ports in all'
                       % (NETWORKS, len(made), len(metadata), len(vms),
                          len(on_ports)))
    finally:
        # each network's instance port, then the network (Neutron
        # deletes its subnet and the ports it made)
        for net in nets:
            for port in world._get('ports', {'network_id': net}):
                if not port['device_owner'].startswith('network:'):
                    world.net.delete('/ports/' + port['id'])
            resp = world.net.delete('/networks/' + net)
            assert resp.status_code in (204, 404), resp.text
