"""A project of its own, made and torn down straight through Neutron's API,
for tests that reset and inspect state many times (fault matrix, races)."""

import os
import uuid

import pytest

from tests.functional.conftest import read_openrc


def neutron_port():
    return int(os.environ.get('XLOUD_DEVCLOUD_NEUTRON_PORT') or 9696)


def connect(openrc):
    """An openstacksdk connection straight to the devcloud (no proxy)."""
    import openstack

    env = read_openrc(openrc)
    return openstack.connect(
        auth_url=env['OS_AUTH_URL'], username=env['OS_USERNAME'],
        password=env['OS_PASSWORD'], project_name=env['OS_PROJECT_NAME'],
        user_domain_name=env['OS_USER_DOMAIN_NAME'],
        project_domain_name=env['OS_PROJECT_DOMAIN_NAME'],
        region_name=env.get('OS_REGION_NAME'))


def module_world(label, **options):
    """A module-scoped `world` fixture: a World of its own, closed after
    the module's tests."""
    @pytest.fixture(scope='module')
    def world(devcloud, tmp_path_factory):
        made = World(devcloud, tmp_path_factory.mktemp(label), **options)
        yield made
        made.close()
    return world


class World:
    """A project of its own with what the commands act on."""

    def __init__(self, devcloud, tmp, cidr='10.91.0.0/24'):
        self.openrc = os.path.join(devcloud, 'admin-openrc.sh')
        self.conn = connect(self.openrc)
        self.net = self.conn.network
        self.tmp = tmp
        name = 'xlf-%s' % uuid.uuid4().hex[:8]
        self.project = self.conn.identity.create_project(
            name=name, domain_id='default').id
        pid = self.project
        self.network = self._post('networks', {'name': name,
                                               'project_id': pid})['id']
        prefix = cidr.rsplit('.', 1)[0]
        self._post('subnets', {
            'network_id': self.network, 'cidr': cidr, 'ip_version': 4,
            'project_id': pid, 'gateway_ip': prefix + '.1',
            'allocation_pools': [{'start': prefix + '.10',
                                  'end': prefix + '.99'}]})
        self.group = self._post('security-groups', {
            'name': name + '-sg', 'project_id': pid})['id']
        self.default = [g for g in self._get('security-groups', {
            'project_id': pid, 'name': 'default'})][0]['id']
        self.p1 = self._port('ps', [self.default, self.group])
        self.va = self._port('va', [self.default])
        self.vb = self._port('vb', [self.default])
        self._bastion = None
        self._groups = []        # groups made by open_group

    def open_group(self, name, ports):
        """(group ID, {port: rule ID}): a new group whose rules open each
        TCP port to the world."""
        group = self._post('security-groups', {
            'name': name, 'project_id': self.project})['id']
        self._groups.append(group)
        return group, {port: self._post('security-group-rules', {
            'security_group_id': group, 'direction': 'ingress',
            'ethertype': 'IPv4', 'protocol': 'tcp', 'port_range_min': port,
            'port_range_max': port, 'remote_ip_prefix': '0.0.0.0/0',
            'project_id': self.project})['id'] for port in ports}

    def bastion(self):
        """(group ID, rule ID): a group whose rule opens SSH to the world
        (made on first use)."""
        if self._bastion is None:
            group, rules = self.open_group('xlf-bastion', [22])
            self._bastion = (group, rules[22])
        return self._bastion

    def clear_project_tags(self):
        """No endorsement left on the project (a reset that rewrites the
        port's or group's tags by hand would otherwise leave the
        endorsements of the records it drops: Keystone keeps 80)."""
        resp = self.conn.identity.put('/projects/%s/tags' % self.project,
                                      json={'tags': []})
        assert resp.status_code in (200, 204), resp.text

    def group_tags(self, group_id):
        return self.net.get('/security-groups/' + group_id).json()[
            'security_group']['tags']

    def set_group_tags(self, group_id, tags):
        self._put('/security-groups/%s/tags' % group_id, {'tags': tags})

    # raw helpers, straight to Neutron
    def _get(self, collection, params=None):
        resp = self.net.get('/' + collection, params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()[collection.replace('-', '_')]

    def _post(self, collection, body):
        key = collection[:-1].replace('-', '_')
        resp = self.net.post('/' + collection, json={key: body})
        assert resp.status_code == 201, resp.text
        return resp.json()[key]

    def _put(self, path, body):
        resp = self.net.put(path, json=body)
        assert resp.status_code in (200, 201), resp.text
        return resp.json()

    def _port(self, suffix, groups):
        return self._post('ports', {
            'network_id': self.network, 'project_id': self.project,
            'name': 'xlf-' + suffix, 'security_groups': groups})['id']

    def port(self, port_id):
        return self.net.get('/ports/' + port_id).json()['port']

    def set_port(self, port_id, tags, **attrs):
        if attrs:
            self._put('/ports/' + port_id, {'port': attrs})
        self._put('/ports/%s/tags' % port_id, {'tags': tags})

    def reservations(self):
        return [p for p in self._get('ports', {'network_id': self.network})
                if p.get('device_owner') == 'xloud:vip']

    def rules(self):
        return self._get('security-group-rules',
                         {'security_group_id': self.default})

    def rule_shapes(self):
        """The default group's rules, as comparable shapes."""
        def shape(rule):
            return (rule['direction'], rule['ethertype'], rule['protocol'],
                    rule['port_range_min'], rule['port_range_max'],
                    rule['remote_ip_prefix'],
                    'self' if rule['remote_group_id'] == self.default
                    else rule['remote_group_id'])
        return sorted(shape(r) for r in self.rules())

    def same_group_rules(self):
        return [r for r in self.rules() if r['direction'] == 'ingress'
                and r['remote_group_id'] == self.default
                and r['protocol'] is None]

    def make_permissive(self):
        """The default group with its same-group rules, IPv4 and IPv6."""
        have = {r['ethertype'] for r in self.same_group_rules()}
        for ethertype in {'IPv4', 'IPv6'} - have:
            self._post('security-group-rules', {
                'security_group_id': self.default, 'direction': 'ingress',
                'ethertype': ethertype, 'remote_group_id': self.default,
                'project_id': self.project})

    # floating IPs of the project, from the devcloud's `public` network
    def floating_ips(self):
        return self._get('floatingips', {'project_id': self.project})

    def set_floating_ips(self, wanted):
        """Exactly these floating IPs in the project: [(address,
        description, tags)]; others released, missing ones allocated."""
        have = {f['floating_ip_address']: f for f in self.floating_ips()}
        public = self._get('networks', {'name': 'public'})[0]['id']
        for address, description, tags in wanted:
            fip = have.pop(address, None)
            if fip is None:
                fip = self._post('floatingips', {
                    'floating_network_id': public, 'project_id': self.project,
                    'floating_ip_address': address,
                    'description': description})
            if sorted(fip.get('tags') or ()) != sorted(tags):
                self._put('/floatingips/%s/tags' % fip['id'],
                          {'tags': list(tags)})
        for fip in have.values():
            self.net.delete('/floatingips/' + fip['id'])

    def routed(self):
        """A router from the project's subnet to `public` (made on first
        use), so that its ports can hold floating IPs."""
        if getattr(self, '_router', None) is None:
            public = self._get('networks', {'name': 'public'})[0]['id']
            self._router = self._post('routers', {
                'name': 'xlf-router', 'project_id': self.project,
                'external_gateway_info': {'network_id': public}})['id']
            subnet = self._get('subnets', {'network_id': self.network})[0]
            self._put('/routers/%s/add_router_interface' % self._router,
                      {'subnet_id': subnet['id']})
        return self._router

    # a group of world-open rules, for `security group harden restrict`
    WORLD_RULES = (('IPv4', 22, '0.0.0.0/0'), ('IPv6', 22, '::/0'),
                   ('IPv4', 3389, '0.0.0.0/1'), ('IPv4', 3389, '128.0.0.0/1'),
                   ('IPv4', 443, '0.0.0.0/0'))

    def world_open(self):
        """{'group', 'world_ag', 'bastions'} (made on first use): a group
        used by port p1 whose rules open WORLD_RULES, and PostgreSQL from
        an address group holding 0.0.0.0/0; `bastions` is an address group
        of 10.1.0.0/16 and fd00:1::/48."""
        if getattr(self, '_world', None) is None:
            def address_group(suffix, addresses):
                return self._post('address-groups', {
                    'name': 'xlf-' + suffix, 'project_id': self.project,
                    'addresses': addresses})['id']
            group = self._post('security-groups', {
                'name': 'xlf-web', 'project_id': self.project})['id']
            self._groups.append(group)
            self._world = {'group': group, 'world_ag': address_group(
                'world', ['0.0.0.0/0']), 'bastions': address_group(
                    'bastions', ['10.1.0.0/16', 'fd00:1::/48'])}
            # p1 may have port security off (left so by an earlier test
            # of the module, e.g. a race round that ended disabled)
            self._put('/ports/' + self.p1, {'port': {
                'port_security_enabled': True,
                'security_groups': [self.default, self.group, group]}})
            self.reset_world_open()
        return self._world

    def group_rules(self, group):
        return self._get('security-group-rules',
                         {'security_group_id': group})

    def reset_world_open(self):
        """The world-open group's ingress rules, exactly WORLD_RULES and
        the address group's (rules of other shapes removed)."""
        w = self._world
        wanted = [{'ethertype': e, 'protocol': 'tcp', 'port_range_min': p,
                   'port_range_max': p, 'remote_ip_prefix': prefix,
                   'remote_address_group_id': None,
                   'description': 'open %d' % p}
                  for e, p, prefix in self.WORLD_RULES]
        wanted.append({'ethertype': 'IPv4', 'protocol': 'tcp',
                       'port_range_min': 5432, 'port_range_max': 5432,
                       'remote_ip_prefix': None, 'description': '',
                       'remote_address_group_id': w['world_ag']})
        keys = list(wanted[0])
        for rule in self.group_rules(w['group']):
            if rule['direction'] != 'ingress':
                continue
            shape = {k: rule[k] for k in keys}
            if shape in wanted:
                wanted.remove(shape)
            else:
                self.net.delete('/security-group-rules/' + rule['id'])
        for shape in wanted:
            self._post('security-group-rules', dict(
                shape, security_group_id=w['group'], direction='ingress',
                project_id=self.project))

    def world_listing(self):
        """Every attribute of the world-open group's rules but what a
        re-created rule cannot keep (ID, times, revision)."""
        drop = ('id', 'created_at', 'updated_at', 'revision_number',
                'tenant_id')
        return sorted(tuple(sorted((k, str(v)) for k, v in r.items()
                                   if k not in drop))
                      for r in self.group_rules(self._world['group']))

    def close(self):
        self.set_floating_ips([])
        if getattr(self, '_router', None) is not None:
            subnet = self._get('subnets', {'network_id': self.network})[0]
            self._put('/routers/%s/remove_router_interface' % self._router,
                      {'subnet_id': subnet['id']})
            self.net.delete('/routers/' + self._router)
        for port in self._get('ports', {'network_id': self.network}):
            self.net.delete('/ports/' + port['id'])
        self.net.delete('/networks/' + self.network)
        for group in [self.group, self.default] + self._groups:
            self.net.delete('/security-groups/' + group)
        for ag in self._get('address-groups', {'project_id': self.project}):
            self.net.delete('/address-groups/' + ag['id'])
        self.conn.identity.delete_project(self.project)
