"""The unit tests' one in-memory Neutron and one Keystone, and the
response they answer with.

FakeNeutron keeps collections of dicts and answers the REST calls the
package makes (lists with filters, one item, create, update with
If-Match, delete, tags), as Neutron does where it matters: every change
bumps the revision, an update or delete at another revision is a 412, a
port refuses more than MAX_PAIRS address pairs and address pairs with
port security off. A hook runs before each request (another actor's
change, at a chosen moment); deny and fail inject refusals. Canned is
not a Neutron: it answers GETs from handlers, for the paginator's edge
cases.
"""

import collections.abc
import copy
import json
import types
import urllib.parse

PORT_EXTENSIONS = ('port-security', 'router', 'security-group')
_SINGULAR = {'ports': 'Port', 'security-groups': 'Security group'}


class FakeResponse:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self._body = body

    def json(self):
        if isinstance(self._body, (bytes, str)):
            return json.loads(self._body)
        return self._body


def _error(status, message):
    return FakeResponse(status, {'NeutronError': {'message': message}})


class _ById(collections.abc.MutableMapping):
    """A collection's list seen as {id: item} (the same dicts)."""

    def __init__(self, items):
        self._items = items

    def _index(self, key):
        for i, item in enumerate(self._items):
            if item['id'] == key:
                return i
        raise KeyError(key)

    def __getitem__(self, key):
        return self._items[self._index(key)]

    def __setitem__(self, key, value):
        try:
            self._items[self._index(key)] = value
        except KeyError:
            self._items.append(value)

    def __delitem__(self, key):
        del self._items[self._index(key)]

    def __iter__(self):
        return iter([i['id'] for i in self._items])

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return repr(dict(self))


class FakeNeutron:
    """Collections by REST path ('security-groups': [...]); see above."""

    MAX_PAIRS = 10
    RULE_KEYS = ('security_group_id', 'direction', 'ethertype', 'protocol',
                 'port_range_min', 'port_range_max', 'remote_ip_prefix',
                 'remote_group_id', 'remote_address_group_id')

    def __init__(self, extensions=(), **collections_):
        self.data = {k.replace('_', '-'): [dict(i) for i in v]
                     for k, v in collections_.items()}
        self.extensions = list(extensions)
        self.log = []          # (method, path) of every request
        self.queries = []      # (path, params) of every GET
        self.deny = set()      # (method, path prefix) -> 403
        self.fail = {}         # GET path -> status to answer
        self.hook = None       # hook(self, method, path) before a request
        self.created = 0
        self.new_port_revision = 0

    @classmethod
    def of_ports(cls, ports=(), security_groups=(), subnets=(),
                 rbac_policies=()):
        """A cloud of ports as the port commands meet them: each with its
        revision, tags, groups and address pairs, on a cloud with the
        port-security, router and security-group extensions."""
        cloud = cls(PORT_EXTENSIONS, ports=ports,
                    security_groups=security_groups, subnets=subnets,
                    rbac_policies=rbac_policies)
        for port in cloud.data['ports']:
            port.setdefault('revision_number', 1)
            for key in ('tags', 'security_groups', 'allowed_address_pairs'):
                port.setdefault(key, [])
        cloud.new_port_revision = 1
        return cloud

    # the collections as attributes, as tests read and change them
    @property
    def ports(self):
        return _ById(self.data.setdefault('ports', []))

    def _listed(name):
        def get(self):
            return self.data.setdefault(name, [])

        def set_(self, value):
            self.data[name] = list(value)
        return property(get, set_)

    security_groups = _listed('security-groups')
    subnets = _listed('subnets')
    rbac_policies = _listed('rbac-policies')
    del _listed

    @staticmethod
    def get_project_id():
        """The caller's project, as keystoneauth's adapter says it."""
        return 'admin-project'

    def set_port(self, port_id, **attrs):
        """Another actor's change to a port."""
        self.ports[port_id].update(attrs)
        self._bump(self.ports[port_id])

    @staticmethod
    def _bump(item):
        item['revision_number'] = item.get('revision_number', 0) + 1

    def _before(self, method, path):
        self.log.append((method, path))
        if self.hook:
            self.hook(self, method, path)

    def _denied(self, method, path):
        return any(method == m and path.startswith(p) for m, p in self.deny)

    def _find(self, name, item_id):
        return next((i for i in self.data.get(name, [])
                     if i['id'] == item_id), None)

    def _tagged(self, path):
        """(item, tag) of /<collection>/<id>/tags/<tag>, or (None, None)."""
        parts = path.strip('/').split('/')
        if len(parts) != 4 or parts[2] != 'tags':
            return None, None
        return (self._find(parts[0], parts[1]),
                urllib.parse.unquote(parts[3]))

    @staticmethod
    def _matches(item, params):
        for key, want in params.items():
            if key in ('fields', 'limit', 'marker'):
                continue
            if key == 'fixed_ips':
                address = want.split('=', 1)[1]
                if address not in [f['ip_address']
                                   for f in item.get('fixed_ips', ())]:
                    return False
            elif item.get(key) not in (want if isinstance(want, list)
                                       else [want]):
                return False
        return True

    def get(self, path, params=None, **kw):
        self._before('GET', path)
        self.queries.append((path, dict(params or {})))
        if path in self.fail:
            return _error(self.fail[path], 'injected')
        if path == '/extensions':
            return FakeResponse(200, {'extensions': [
                {'alias': a} for a in self.extensions]})
        name = path.strip('/')
        key = name.replace('-', '_')
        if name.startswith('quotas/') and name.endswith('/default'):
            return FakeResponse(200, {'quota': copy.deepcopy(
                (self.data.get('quota-defaults') or [{}])[0])})
        if name.startswith('floatingips/') and \
                name.endswith('/port_forwardings'):
            return FakeResponse(200, {'port_forwardings': [
                copy.deepcopy(i) for i in self.data.get('port-forwardings',
                                                        [])
                if i.get('floatingip_id') == name.split('/')[1]]})
        if name.count('/') == 1:            # GET /<collection>/<id>
            name, item_id = name.split('/')
            item = self._find(name, item_id)
            if item is None:
                return _error(404, '%s could not be found.'
                              % _SINGULAR.get(name, 'Resource'))
            return FakeResponse(200, {name.replace('-', '_')[:-1]:
                                      copy.deepcopy(item)})
        return FakeResponse(200, {key: [
            copy.deepcopy(i) for i in self.data.get(name, [])
            if self._matches(i, params or {})]})

    def post(self, path, json=None, **kw):
        self._before('POST', path)
        name = path.strip('/')
        if self._denied('POST', path):
            return _error(403, 'denied')
        [(singular, body)] = json.items()
        if name == 'security-group-rules':
            same = self._same_rule(body)
            if same is not None:
                return _error(409, 'Security group rule already exists. '
                                   'Rule id is %s.' % same['id'])
        self.created += 1
        item = dict(body, id='new-%d' % self.created, revision_number=0)
        if name == 'ports':
            item['revision_number'] = self.new_port_revision
            for key in ('tags', 'security_groups', 'allowed_address_pairs'):
                item.setdefault(key, [])
        self.data.setdefault(name, []).append(item)
        return FakeResponse(201, {singular: copy.deepcopy(item)})

    def _same_rule(self, body):
        """The rule Neutron would call the same as body (its 409)."""
        return next((r for r in self.data.get('security-group-rules', ())
                     if all((r.get(k) or None) == (body.get(k) or None)
                            for k in self.RULE_KEYS)), None)

    def put(self, path, json=None, headers=None, **kw):
        """An update (PUT /<collection>/<id>), or Neutron's tag API: PUT
        /<collection>/<id>/tags/<tag> (one) or .../tags (all)."""
        self._before('PUT', path)
        if self._denied('PUT', path):
            return _error(403, 'denied')
        parts = path.strip('/').split('/')
        if len(parts) == 2:
            return self._update(parts, json, headers)
        item = self._find(parts[0], parts[1])
        if item is None:
            return FakeResponse(404, {})
        if len(parts) == 3 and parts[2] == 'tags':
            item['tags'] = list(json['tags'])
            self._bump(item)
            return FakeResponse(200, {'tags': item['tags']})
        _, tag = self._tagged(path)
        if tag not in item.setdefault('tags', []):
            item['tags'].append(tag)
            self._bump(item)
        return FakeResponse(201, None)

    def _revision_refused(self, item, headers):
        want = (headers or {}).get('If-Match')
        current = item.get('revision_number', 0)
        if want and want != 'revision_number=%d' % current:
            return _error(412, 'Constrained to %s, but current revision is '
                               '%d' % (want, current))
        return None

    def _update(self, parts, json, headers):
        """PUT /<collection>/<id> {<singular>: attrs}, If-Match honoured
        (compared and swapped, as Neutron does for an update)."""
        item = self._find(parts[0], parts[1])
        if item is None:
            return _error(404, '%s could not be found.'
                          % _SINGULAR.get(parts[0], 'Resource'))
        refused = self._revision_refused(item, headers)
        if refused:
            return refused
        [(singular, attrs)] = json.items()
        if parts[0] == 'ports':
            refused = self._port_refusal(item, attrs)
            if refused:
                return refused
        item.update(copy.deepcopy(attrs))
        self._bump(item)
        return FakeResponse(200, {singular: copy.deepcopy(item)})

    def _port_refusal(self, port, attrs):
        if len(attrs.get('allowed_address_pairs') or ()) > self.MAX_PAIRS:
            return _error(400, 'Exceeded maximum amount of allowed address '
                               'pairs (%d).' % self.MAX_PAIRS)
        if attrs.get('port_security_enabled') is False and \
                port.get('allowed_address_pairs'):
            return _error(409, 'Port Security must be enabled in order to '
                               'have allowed address pairs on a port.')
        return None

    def delete(self, path, headers=None, **kw):
        self._before('DELETE', path)
        if self._denied('DELETE', path):
            return _error(403, 'rule:delete denied')
        item, tag = self._tagged(path)
        if item is not None:
            if tag not in item.get('tags', []):
                return FakeResponse(404, {})
            item['tags'].remove(tag)
            self._bump(item)
            return FakeResponse(204, None)
        name, item_id = path.strip('/').rsplit('/', 1)
        item = self._find(name, item_id)
        if item is None:
            return FakeResponse(404, {})
        refused = self._revision_refused(item, headers)
        if refused:
            return refused
        self.data[name].remove(item)
        return FakeResponse(204, None)


class Canned:
    """Not a Neutron: answers GET path from handlers (params -> a
    FakeResponse, or an exception to raise); records every call."""

    def __init__(self, handlers):
        self.handlers = handlers
        self.calls = []

    def get(self, path, params=None, timeout=None):
        self.calls.append((path, dict(params or {}), timeout))
        handler = self.handlers[path]
        if isinstance(handler, Exception):
            raise handler
        return handler(dict(params or {}))


def extensions(*aliases):
    """A Canned handler listing these extensions."""
    body = {'extensions': [{'alias': a} for a in aliases]}
    return lambda params: FakeResponse(200, body)


def paged(key, items):
    """A Canned handler: Neutron-style pagination over items, honouring
    limit and marker."""
    def handler(params):
        ids = [i['id'] for i in items]
        start = ids.index(params['marker']) + 1 if 'marker' in params else 0
        limit = params.get('limit') or len(items)
        page = items[start:start + limit]
        body = {key: page}
        if start + limit < len(items):
            body[key + '_links'] = [{
                'rel': 'next',
                'href': 'http://x/v2.0/%s?limit=%d&marker=%s'
                        % (key, limit, page[-1]['id'])}]
        return FakeResponse(200, body)
    return handler


class FakeKeystone:
    """Keystone's projects and their tags: the admin writes tags, a member
    reads its own project (Keystone's default policy)."""

    def __init__(self, projects=('p', 'q', 'pid', 'other')):
        # {project ID: {'name': ..., 'tags': [...]}}
        self.data = {p: {'name': p, 'tags': []} for p in projects}
        self.log = []
        self.hook = None            # hook(method, path) before a request
        self.roles, self.project_id = ('admin',), None

    def for_token(self, auth_ref):
        """A view of the same Keystone as the token's user sees it."""
        view = FakeKeystone.__new__(FakeKeystone)
        view.__dict__ = dict(self.__dict__)
        view.roles = tuple(auth_ref.role_names or ())
        view.project_id = auth_ref.project_id
        view._shared = self
        return view

    def _state(self):
        return getattr(self, '_shared', self)

    def _admin(self):
        return 'admin' in self.roles

    def _before(self, method, path):
        state = self._state()
        state.log.append((method, path))
        if state.hook:
            state.hook(method, path)

    def get(self, path, params=None, **kw):
        self._before('GET', path)
        data = self._state().data
        if path == '/projects':
            if not self._admin():
                return _refused()
            return FakeResponse(200, {'projects': [
                dict(id=k, **v) for k, v in data.items()],
                'links': {'next': None}})
        pid = path.split('/')[2]
        if pid not in data:
            return FakeResponse(404, {'error': {'message': 'no project'}})
        if not self._admin() and pid != self.project_id:
            return _refused()
        if path.endswith('/tags'):
            return FakeResponse(200, {'tags': list(data[pid]['tags'])})
        return FakeResponse(200, {'project': dict(id=pid, **data[pid])})

    def _tag(self, path):
        parts = path.split('/')
        return parts[2], urllib.parse.unquote(parts[4])

    def put(self, path, **kw):
        self._before('PUT', path)
        if not self._admin():
            return _refused()
        pid, tag = self._tag(path)
        tags = self._state().data[pid]['tags']
        if tag in tags:
            # Keystone 30 (seen on MariaDB): the list it validates holds
            # the tag twice.
            return FakeResponse(400, {'error': {
                'code': 400, 'message': 'Invalid input for field '
                "'tags': %r has non-unique elements" % (tags + [tag])}})
        tags.append(tag)
        return FakeResponse(201, {})

    def delete(self, path, **kw):
        self._before('DELETE', path)
        if not self._admin():
            return _refused()
        pid, tag = self._tag(path)
        tags = self._state().data[pid]['tags']
        if tag not in tags:
            return FakeResponse(404, {'error': {'message': 'no tag'}})
        tags.remove(tag)
        return FakeResponse(204, {})

    def projects(self):
        """openstacksdk's listing, as names.project_names reads it."""
        return [types.SimpleNamespace(id=k, name=v['name'])
                for k, v in self._state().data.items()]

    def find_project(self, name_or_id, ignore_missing=True, **query):
        """openstacksdk's lookup by ID or name, as scope.py calls it."""
        from openstack import exceptions

        for k, v in self._state().data.items():
            if name_or_id in (k, v['name']):
                return types.SimpleNamespace(id=k, name=v['name'])
        if ignore_missing:
            return None
        raise exceptions.ResourceNotFound('no project %s' % name_or_id)

    def tags(self, project_id):
        return list(self._state().data[project_id]['tags'])


def _refused():
    return FakeResponse(403, {'error': {
        'code': 403, 'message': 'You are not authorized to perform the '
        'requested action.'}})
