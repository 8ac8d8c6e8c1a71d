"""A synthetic Neutron API for the large benchmark tier: no database, no
Keystone, generated resources served the way Neutron serves lists.

It answers GET /v2.0/extensions and GET /v2.0/<collection> with Neutron's
pagination (``limit``, ``marker``, ``<collection>_links`` with a ``next``
href) and ``fields`` filtering, for networks, ports, security groups and
rules, floating IPs, routers, address groups and RBAC policies. It listens
on 127.0.0.1 only and stops by itself after ``--lifetime`` seconds. It
measures the client, not Neutron: the small tier (`run.py`) measures
against the real Neutron.

    python benchmarks/synthetic.py --ports 100000 --port-file /tmp/p
"""

import argparse
import http.server
import json
import os
import random
import threading
import urllib.parse
import uuid

EXTENSIONS = ('security-group', 'router', 'port-security',
              'allowed-address-pairs', 'standard-attr-tag', 'address-group',
              'rbac-policies', 'external-net')
COLLECTIONS = ('networks', 'ports', 'security_groups',
               'security_group_rules', 'floatingips', 'routers',
               'address_groups', 'rbac_policies')


def _id(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def estate(ports=100000, seed=7):
    """{collection: [items sorted by id]}: per 100,000 ports, 10,000
    networks, 2,000 security groups with 60,000 rules, 8,000 floating
    IPs and 2,000 routers (182,000 resources), in 200 projects."""
    rng = random.Random(seed)
    scale = ports / 100000.0
    projects = [_id(rng).replace('-', '') for _ in range(200)]
    n_nets, n_groups = int(10000 * scale), int(2000 * scale)
    nets = [{'id': _id(rng), 'name': 'net-%d' % i,
             'project_id': projects[i % 200],
             'port_security_enabled': i % 97 != 0,
             'router:external': i == 0, 'shared': i % 501 == 0,
             'tags': ['env=prod'] if i % 3 == 0 else [],
             'status': 'ACTIVE', 'admin_state_up': True, 'mtu': 1450,
             'subnets': [_id(rng)], 'description': ''}
            for i in range(n_nets)]
    groups = [{'id': _id(rng), 'name': 'default' if i % 10 == 0 else
               'sg-%d' % i, 'project_id': projects[i % 200],
               'tags': [], 'description': 'group %d' % i,
               'stateful': True}
              for i in range(n_groups)]
    rules = []
    prefixes = ('0.0.0.0/0', '10.0.0.0/8', '192.168.0.0/16', None,
                '203.0.113.0/24', '0.0.0.0/1', '128.0.0.0/1', '::/0',
                '2001:db8::/32', '172.16.0.0/12')
    for i in range(int(60000 * scale)):
        group = groups[i % n_groups]
        prefix = prefixes[i % len(prefixes)]
        v6 = prefix is not None and ':' in prefix
        port = (22, 443, 3306, 80, 5432, 8080)[i % 6]
        rules.append({
            'id': _id(rng), 'security_group_id': group['id'],
            'project_id': group['project_id'],
            'direction': 'ingress' if i % 4 else 'egress',
            'ethertype': 'IPv6' if v6 else 'IPv4',
            'protocol': None if i % 13 == 0 else 'tcp',
            'port_range_min': None if i % 13 == 0 else port,
            'port_range_max': None if i % 13 == 0 else port,
            'remote_ip_prefix': prefix,
            'remote_group_id': group['id'] if i % 17 == 0 else None,
            'remote_address_group_id': None, 'description': '',
            'normalized_cidr': prefix})
    port_list = []
    for i in range(ports):
        net = nets[i % n_nets]
        pairs = ([{'ip_address': '10.%d.0.0/16' % (i % 250),
                   'mac_address': 'fa:16:3e:00:00:01'}]
                 if i % 50 == 0 else [])
        port_list.append({
            'id': _id(rng), 'name': 'port-%d' % i,
            'project_id': net['project_id'], 'network_id': net['id'],
            'device_owner': 'network:dhcp' if i % 10 == 0 else
            'compute:nova', 'device_id': _id(rng),
            'port_security_enabled': i % 211 != 0,
            'security_groups': [groups[i % n_groups]['id']],
            'allowed_address_pairs': pairs,
            'fixed_ips': [{'subnet_id': net['subnets'][0],
                           'ip_address': '10.%d.%d.%d' % (
                               i // 65025 % 256, i // 255 % 255,
                               i % 255 + 1)}],
            'tags': [], 'status': 'ACTIVE', 'mac_address':
            'fa:16:3e:%02x:%02x:%02x' % (i >> 16 & 255, i >> 8 & 255,
                                         i & 255),
            'binding:host_id': 'compute-%d' % (i % 40),
            'description': '', 'admin_state_up': True})
    fips = [{'id': _id(rng), 'floating_ip_address': '198.51.%d.%d' % (
        i // 250 % 256, i % 250 + 1), 'project_id': projects[i % 200],
        'port_id': port_list[i * 7 % ports]['id'] if i % 4 else None,
        'fixed_ip_address': None, 'floating_network_id': nets[0]['id'],
        'router_id': None, 'status': 'ACTIVE', 'description': '',
        'tags': []} for i in range(int(8000 * scale))]
    routers = [{'id': _id(rng), 'name': 'router-%d' % i,
                'project_id': projects[i % 200], 'status': 'ACTIVE',
                'tags': [], 'external_gateway_info': {
                    'network_id': nets[0]['id'],
                    'enable_snat': i % 9 != 0} if i % 2 else None}
               for i in range(int(2000 * scale))]
    subnets = [{'id': net['subnets'][0], 'network_id': net['id'],
                'project_id': net['project_id'], 'gateway_ip': '10.0.0.1',
                'cidr': '10.0.0.0/8', 'ip_version': 4} for net in nets]
    data = {'networks': nets, 'subnets': subnets, 'ports': port_list,
            'security_groups': groups,
            'security_group_rules': rules, 'floatingips': fips,
            'routers': routers,
            'address_groups': [{'id': _id(rng), 'name': 'ag-%d' % i,
                                'project_id': projects[i],
                                'addresses': ['10.%d.0.0/16' % i]}
                               for i in range(20)],
            'rbac_policies': [{'id': _id(rng), 'object_type': 'network',
                               'object_id': nets[i * 50]['id'],
                               'action': 'access_as_shared',
                               'target_tenant': '*' if i % 2 else
                               projects[1], 'project_id': projects[0]}
                              for i in range(min(20, n_nets // 50))]}
    for items in data.values():
        items.sort(key=lambda item: item['id'])
    return data


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    data, cache, lock = None, {}, threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        name = url.path.rstrip('/').rsplit('/', 1)[-1].replace('-', '_')
        if name == 'extensions':
            return self._send({'extensions': [{'alias': a}
                                              for a in EXTENSIONS]})
        if name not in self.data:
            return self._send({'NeutronError': {'message': 'no such'}}, 404)
        key = (name, url.query)
        with self.lock:
            body = self.cache.get(key)
        if body is None:
            body = json.dumps(self._page(name, urllib.parse.parse_qs(
                url.query), url.path)).encode()
            with self.lock:
                self.cache[key] = body
        return self._send(body)

    def _page(self, name, query, path):
        items = self.data[name]
        limit = int(query.get('limit', ['1000'])[0])
        marker = query.get('marker', [None])[0]
        start = 0
        if marker:
            ids = [i['id'] for i in items]
            import bisect
            start = bisect.bisect_right(ids, marker)
        page = items[start:start + limit]
        fields = query.get('fields')
        if fields:
            page = [{f: i[f] for f in fields if f in i} for i in page]
        body = {name: page}
        if start + limit < len(items) and page:
            rest = [(k, v) for k, vs in query.items() for v in vs
                    if k != 'marker']
            rest.append(('marker', items[start + limit - 1]['id']))
            body[name + '_links'] = [{'rel': 'next', 'href': '%s?%s' % (
                path, urllib.parse.urlencode(rest))}]
        return body

    def _send(self, body, status=200):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(ports, port_file, lifetime):
    Handler.data = estate(ports)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    threading.Timer(lifetime, server.shutdown).start()
    tmp = port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, port_file)
    server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ports', type=int, default=100000)
    parser.add_argument('--port-file', required=True,
                        help='where to write the TCP port it listens on')
    parser.add_argument('--lifetime', type=float, default=1800,
                        help='seconds before it stops by itself')
    args = parser.parse_args()
    serve(args.ports, args.port_file, args.lifetime)


if __name__ == '__main__':
    main()
