"""An in-memory Neutron, just enough for revision-guarded port changes.

Used to drive interleavings that a real cloud produces only by chance: a
hook runs before chosen requests and may change the port "concurrently".
"""

import copy
import urllib.parse

from tests.unit.audit.fakes import FakeResponse


class FakeNeutron:
    MAX_PAIRS = 10

    def __init__(self, ports=(), security_groups=(), subnets=(),
                 rbac_policies=()):
        self.ports = {p['id']: dict(p) for p in ports}
        self.subnets = list(subnets)
        self.created = 0
        for port in self.ports.values():
            port.setdefault('revision_number', 1)
            port.setdefault('tags', [])
            port.setdefault('security_groups', [])
            port.setdefault('allowed_address_pairs', [])
        self.security_groups = list(security_groups)
        self.rbac_policies = list(rbac_policies)
        self.log = []
        self.hook = None

    def _bump(self, port):
        port['revision_number'] += 1

    def _port(self, path):
        parts = path.strip('/').split('/')
        port = self.ports.get(parts[1])
        tag = urllib.parse.unquote(parts[3]) if len(parts) > 3 else None
        return port, tag

    def _before(self, method, path):
        self.log.append((method, path))
        if self.hook:
            self.hook(self, method, path)

    def get(self, path, params=None, **kw):
        self._before('GET', path)
        if path == '/security-groups':
            found = [sg for sg in self.security_groups
                     if all(sg.get(k) == v for k, v in (params or {}).items()
                            if k not in ('fields', 'limit', 'marker'))]
            return FakeResponse(200, {'security_groups': found})
        if path == '/subnets':
            return FakeResponse(200, {'subnets': [
                s for s in self.subnets
                if s['network_id'] == (params or {}).get(
                    'network_id', s['network_id'])]})
        if path == '/extensions':
            return FakeResponse(200, {'extensions': [
                {'alias': a} for a in ('port-security', 'router',
                                       'security-group')]})
        if path in ('/networks', '/routers', '/floatingips'):
            return FakeResponse(200, {path[1:]: []})
        if path == '/rbac-policies':
            return FakeResponse(200, {'rbac_policies': [
                p for p in self.rbac_policies
                if all(p.get(k) == v for k, v in (params or {}).items()
                       if k not in ('fields', 'limit', 'marker'))]})
        if path.startswith('/security-groups/'):
            found = [g for g in self.security_groups
                     if g['id'] == path.split('/')[2]]
            if not found:
                return FakeResponse(404, {'NeutronError': {
                    'message': 'Security group could not be found.'}})
            return FakeResponse(200, {'security_group': found[0]})
        if path == '/ports':
            return FakeResponse(200, {'ports': [
                copy.deepcopy(p) for p in self.ports.values()
                if self._matches(p, params or {})]})
        port, _ = self._port(path)
        if port is None:
            return FakeResponse(404, {'NeutronError': {
                'message': 'Port could not be found.'}})
        return FakeResponse(200, {'port': copy.deepcopy(port)})

    @staticmethod
    def _matches(port, params):
        for key, value in params.items():
            if key in ('fields', 'limit', 'marker'):
                continue
            if key == 'fixed_ips':
                address = value.split('=', 1)[1]
                if address not in [f['ip_address']
                                   for f in port.get('fixed_ips', ())]:
                    return False
            elif port.get(key) != value:
                return False
        return True

    def post(self, path, json=None, **kw):
        self._before('POST', path)
        self.created += 1
        port = dict(json['port'], id='new-%d' % self.created,
                    revision_number=1, tags=[], security_groups=[],
                    allowed_address_pairs=[])
        self.ports[port['id']] = port
        return FakeResponse(201, {'port': copy.deepcopy(port)})

    def put(self, path, json=None, headers=None, **kw):
        self._before('PUT', path)
        port, tag = self._port(path)
        if tag is not None:
            if tag not in port['tags']:
                port['tags'].append(tag)
                self._bump(port)
            return FakeResponse(201, None)
        want = (headers or {}).get('If-Match')
        if want and want != 'revision_number=%d' % port['revision_number']:
            return FakeResponse(412, {'NeutronError': {
                'message': 'Constrained to %s, but current revision is %d'
                           % (want, port['revision_number'])}})
        attrs = json['port']
        if len(attrs.get('allowed_address_pairs') or ()) > self.MAX_PAIRS:
            return FakeResponse(400, {'NeutronError': {
                'message': 'Exceeded maximum amount of allowed address '
                           'pairs (%d).' % self.MAX_PAIRS}})
        if attrs.get('port_security_enabled') is False and (
                port['allowed_address_pairs']):
            return FakeResponse(409, {'NeutronError': {
                'message': 'Port Security must be enabled in order to '
                           'have allowed address pairs on a port.'}})
        port.update(copy.deepcopy(attrs))
        self._bump(port)
        return FakeResponse(200, {'port': copy.deepcopy(port)})

    def delete(self, path, **kw):
        self._before('DELETE', path)
        port, tag = self._port(path)
        if tag is None:
            if port is None:
                return FakeResponse(404, {})
            del self.ports[port['id']]
            return FakeResponse(204, None)
        if tag not in port['tags']:
            return FakeResponse(404, {})
        port['tags'].remove(tag)
        self._bump(port)
        return FakeResponse(204, None)

    # direct manipulation, as another actor would do
    def set_port(self, port_id, **attrs):
        self.ports[port_id].update(attrs)
        self._bump(self.ports[port_id])
