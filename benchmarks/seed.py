"""Seed a devcloud with a realistic estate, fast and resumable.

One Python process with openstacksdk; Neutron's bulk create (a list in one
POST) for networks, subnets, ports, security groups and rules. Every
resource is named bench-..., so a second run creates only what is missing
and `scale` grows an existing estate.
"""

import ipaddress
import math

DEFAULT = {
    'projects': 10, 'networks': 1000, 'ports': 3000,
    'security_groups': 200, 'rules': 2000, 'address_pairs': 300,
    'floating_ips': 200, 'routers': 20,
}
BULK = 100
SUBNETS_PER_ROUTER = 5


def counts(scale):
    """The estate at a scale of the default (projects stay at 10)."""
    out = {k: max(1, int(math.ceil(v * scale))) for k, v in DEFAULT.items()}
    out['projects'] = DEFAULT['projects']
    return out


class Seeder:
    def __init__(self, conn, log=print):
        self.conn = conn
        self.net = conn.network
        self.log = log

    # -- helpers -------------------------------------------------------------
    def _list(self, path, key, **params):
        items, marker = [], None
        while True:
            query = dict(params, limit=1000)
            if marker:
                query['marker'] = marker
            resp = self.net.get(path, params=query)
            resp.raise_for_status()
            page = resp.json()[key]
            items += page
            if len(page) < 1000:
                return items
            marker = page[-1]['id']

    def _bulk(self, path, key, bodies):
        made = []
        for i in range(0, len(bodies), BULK):
            chunk = bodies[i:i + BULK]
            resp = self.net.post(path, json={key: chunk})
            if resp.status_code >= 400:
                raise RuntimeError('%s: HTTP %d %s' % (
                    path, resp.status_code, resp.text[:300]))
            made += resp.json()[key]
        return made

    def _named(self, path, key, prefix, fields=('id', 'name')):
        return {i['name']: i for i in self._list(path, key,
                                                 fields=list(fields))
                if (i.get('name') or '').startswith(prefix)}

    # -- the estate ---------------------------------------------------------
    def projects(self, n):
        ids = []
        for i in range(n):
            name = 'bench-p%02d' % i
            project = self.conn.identity.find_project(name)
            if project is None:
                project = self.conn.identity.create_project(
                    name=name, domain_id='default')
            ids.append(project.id)
        return ids

    def seed(self, scale=1.0):
        want = counts(scale)
        projects = self.projects(want['projects'])
        nets = self._networks(projects, want['networks'])
        subnets = self._subnets(nets)
        groups = self._groups(projects, want['security_groups'])
        self._rules(groups, want['rules'])
        routers = self._routers(projects, want['routers'], subnets)
        routed = {s['network_id'] for r in routers for s in r['subnets']}
        ports = self._ports(nets, groups, want['ports'],
                            want['address_pairs'], routed)
        self._floating_ips(ports, routed, want['floating_ips'])
        return want

    def _networks(self, projects, n):
        have = self._named('/networks', 'networks', 'bench-net-',
                           ('id', 'name', 'project_id',
                            'port_security_enabled'))
        missing = []
        for i in range(n):
            name = 'bench-net-%04d' % i
            if name not in have:
                body = {'name': name,
                        'project_id': projects[i % len(projects)]}
                if i % 50 == 7:
                    body['port_security_enabled'] = False
                missing.append(body)
        if missing:
            self.log('seed: %d networks' % len(missing))
            for item in self._bulk('/networks', 'networks', missing):
                have[item['name']] = item
        return [have['bench-net-%04d' % i] for i in range(n)]

    def _subnets(self, nets):
        fields = ['id', 'name', 'network_id', 'cidr', 'project_id']
        have = {s['network_id']: s
                for s in self._list('/subnets', 'subnets', fields=fields)
                if (s.get('name') or '').startswith('bench-sub-')}
        missing = []
        for i, net in enumerate(nets):
            if net['id'] not in have:
                cidr = ipaddress.ip_network('10.%d.%d.0/24'
                                            % (i // 256, i % 256))
                missing.append({'name': 'bench-sub-%04d' % i,
                                'network_id': net['id'], 'ip_version': 4,
                                'cidr': str(cidr), 'enable_dhcp': False,
                                'project_id': net['project_id']})
        if missing:
            self.log('seed: %d subnets' % len(missing))
            for item in self._bulk('/subnets', 'subnets', missing):
                have[item['network_id']] = item
        return [have[n['id']] for n in nets]

    def _groups(self, projects, n):
        have = self._named('/security-groups', 'security_groups',
                           'bench-sg-', ('id', 'name', 'project_id'))
        missing = [{'name': 'bench-sg-%03d' % i,
                    'project_id': projects[i % len(projects)]}
                   for i in range(n) if 'bench-sg-%03d' % i not in have]
        if missing:
            self.log('seed: %d security groups' % len(missing))
            for item in self._bulk('/security-groups', 'security_groups',
                                   missing):
                have[item['name']] = item
        return [have['bench-sg-%03d' % i] for i in range(n)]

    def _rules(self, groups, n):
        mine = {g['id'] for g in groups}
        existing = [r for r in self._list(
            '/security-group-rules', 'security_group_rules',
            fields=['id', 'security_group_id', 'description'])
            if r['security_group_id'] in mine
            and (r.get('description') or '').startswith('bench-')]
        done = {r['description'] for r in existing}
        shapes = [  # (protocol, port, remote): mostly benign
            ('tcp', 443, '0.0.0.0/0'), ('tcp', 80, '0.0.0.0/0'),
            ('tcp', 22, '10.0.0.0/8'), ('tcp', 5432, '10.0.0.0/8'),
            ('udp', 53, '10.0.0.0/8'), ('icmp', None, '0.0.0.0/0'),
            ('tcp', 8080, '192.168.0.0/16'), ('tcp', 22, '0.0.0.0/0'),
            ('tcp', 3389, '0.0.0.0/0'), ('tcp', 6379, '172.16.0.0/12')]
        missing = []
        for i in range(n):
            tag = 'bench-rule-%05d' % i
            if tag in done:
                continue
            # successive rules of one group take different shapes
            # Rule i always lands in group i // 10 with shape i % 10, so a
            # group never gets a rule twice, whatever the scale.
            protocol, port, remote = shapes[i % len(shapes)]
            group = groups[(i // len(shapes)) % len(groups)]
            body = {'security_group_id': group['id'],
                    'direction': 'ingress', 'ethertype': 'IPv4',
                    'protocol': protocol, 'remote_ip_prefix': remote,
                    'description': tag, 'project_id': group['project_id']}
            if port:
                body['port_range_min'] = body['port_range_max'] = port
            missing.append(body)
        if missing:
            self.log('seed: %d security group rules' % len(missing))
            # Neutron takes a bulk of rules for one group at a time.
            by_group = {}
            for body in missing:
                by_group.setdefault(body['security_group_id'], []).append(
                    body)
            for bodies in by_group.values():
                self._bulk('/security-group-rules', 'security_group_rules',
                           bodies)

    def _routers(self, projects, n, subnets):
        public = self.net.find_network('public', ignore_missing=False)
        have = self._named('/routers', 'routers', 'bench-router-',
                           ('id', 'name', 'project_id'))
        routers = []
        for i in range(n):
            name = 'bench-router-%02d' % i
            router = have.get(name)
            if router is None:
                self.log('seed: router %s' % name)
                router = self.net.create_router(
                    name=name, project_id=projects[i % len(projects)],
                    external_gateway_info={'network_id': public.id})
                router = {'id': router.id, 'name': name,
                          'project_id': router.project_id}
            routers.append(dict(router, subnets=[]))
        # Each router serves a few subnets of its own project.
        attached = {p['fixed_ips'][0]['subnet_id'] for p in self._list(
            '/ports', 'ports', device_owner='network:router_interface',
            fields=['id', 'fixed_ips'])}
        for router in routers:
            own = [s for s in subnets
                   if s['project_id'] == router['project_id']]
            index = routers.index(router) // len(projects)
            for subnet in own[index * SUBNETS_PER_ROUTER:
                              (index + 1) * SUBNETS_PER_ROUTER]:
                if subnet['id'] not in attached:
                    self.net.add_interface_to_router(
                        router['id'], subnet_id=subnet['id'])
                router['subnets'].append(subnet)
        return routers

    def _ports(self, nets, groups, n, pairs, routed):
        have = self._named('/ports', 'ports', 'bench-port-',
                           ('id', 'name', 'network_id', 'project_id'))
        # Routed networks first, so floating IPs have ports to go to.
        order = sorted(range(len(nets)),
                       key=lambda i: nets[i]['id'] not in routed)
        missing = []
        for i in range(n):
            name = 'bench-port-%05d' % i
            if name in have:
                continue
            net = nets[order[i % len(nets)]]
            body = {'name': name, 'network_id': net['id'],
                    'project_id': net['project_id'],
                    'device_owner': 'compute:nova' if i % 3 else ''}
            own_groups = [g for g in groups
                          if g['project_id'] == net['project_id']]
            if i % 97 == 5 or net.get('port_security_enabled') is False:
                body['port_security_enabled'] = False
                body['security_groups'] = []
            elif i % 2 and own_groups:
                body['security_groups'] = [own_groups[i % len(own_groups)]
                                           ['id']]
            if i < pairs and 'port_security_enabled' not in body:
                prefix = ('10.%d.%d.%d' % ((i // 256) % 4, i % 256, 200)
                          if i % 10 else '10.200.0.0/16')
                if i % 150 == 0:
                    prefix = '0.0.0.0/0'
                body['allowed_address_pairs'] = [{'ip_address': prefix}]
            missing.append(body)
        if missing:
            self.log('seed: %d ports' % len(missing))
            for item in self._bulk('/ports', 'ports', missing):
                have[item['name']] = item
        return [have['bench-port-%05d' % i] for i in range(n)]

    def _floating_ips(self, ports, routed, n):
        public = self.net.find_network('public', ignore_missing=False)
        existing = self._list('/floatingips', 'floatingips',
                              fields=['id', 'description', 'port_id'])
        done = {f['description'] for f in existing
                if (f.get('description') or '').startswith('bench-')}
        taken = {f['port_id'] for f in existing if f.get('port_id')}
        candidates = iter([p for p in ports if p['network_id'] in routed
                           and p['id'] not in taken])
        todo = ['bench-fip-%03d' % i for i in range(n)
                if 'bench-fip-%03d' % i not in done]
        if todo:
            self.log('seed: %d floating IPs' % len(todo))
        for tag in todo:
            i = int(tag.rsplit('-', 1)[1])
            body = {'floating_network_id': public.id, 'description': tag,
                    'project_id': ports[0]['project_id']}
            port = next(candidates, None) if i % 2 else None
            if port is not None:
                body.update(port_id=port['id'],
                            project_id=port['project_id'])
            resp = self.net.post('/floatingips', json={'floatingip': body})
            if resp.status_code >= 400:
                raise RuntimeError('floating IP: HTTP %d %s' % (
                    resp.status_code, resp.text[:300]))
