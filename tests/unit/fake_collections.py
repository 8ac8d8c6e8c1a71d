"""A generic in-memory Neutron REST collection store, for unit tests."""

import copy
import itertools
import urllib.parse

from tests.unit.audit.fakes import FakeResponse

_ids = itertools.count(1)


class FakeCollections:
    """GET (filters, lists as 'any of'), POST, DELETE (If-Match)."""

    def __init__(self, extensions=(), **collections):
        # collections: path name (e.g. 'security-groups') -> list of dicts
        self.data = {k.replace('_', '-'): [dict(i) for i in v]
                     for k, v in collections.items()}
        self.extensions = list(extensions)
        self.log = []
        self.queries = []      # (path, params) of every GET
        self.deny = set()      # (method, path prefix) -> 403
        self.fail = {}         # GET path -> status to answer

    def _key(self, name):
        return name.replace('-', '_')

    def _denied(self, method, path):
        return any(method == m and path.startswith(p) for m, p in self.deny)

    def get(self, path, params=None, **kw):
        self.log.append(('GET', path))
        self.queries.append((path, dict(params or {})))
        if path in self.fail:
            return FakeResponse(self.fail[path], {'NeutronError': {
                'message': 'injected'}})
        if path == '/extensions':
            return FakeResponse(200, {'extensions': [
                {'alias': a} for a in self.extensions]})
        name = path.strip('/')
        if name.count('/') == 1:            # GET /<collection>/<id>
            name, item_id = name.split('/')
            for item in self.data.get(name, []):
                if item['id'] == item_id:
                    return FakeResponse(200, {self._key(name)[:-1]:
                                              copy.deepcopy(item)})
            return FakeResponse(404, {'NeutronError': {'message': 'gone'}})
        items = []
        for item in self.data.get(name, []):
            ok = True
            for key, want in (params or {}).items():
                if key in ('fields', 'limit', 'marker'):
                    continue
                wants = want if isinstance(want, list) else [want]
                if item.get(key) not in wants:
                    ok = False
            if ok:
                items.append(copy.deepcopy(item))
        return FakeResponse(200, {self._key(name): items})

    def post(self, path, json=None, **kw):
        self.log.append(('POST', path))
        name = path.strip('/')
        if self._denied('POST', path):
            return FakeResponse(403, {'NeutronError': {'message': 'denied'}})
        [body] = json.values()
        if name == 'security-group-rules':
            same = self._same_rule(body)
            if same is not None:
                return FakeResponse(409, {'NeutronError': {
                    'message': 'Security group rule already exists. Rule '
                               'id is %s.' % same['id']}})
        item = dict(body, id='new-%d' % next(_ids), revision_number=0)
        self.data.setdefault(name, []).append(item)
        return FakeResponse(201, {list(json)[0]: copy.deepcopy(item)})

    RULE_KEYS = ('security_group_id', 'direction', 'ethertype', 'protocol',
                 'port_range_min', 'port_range_max', 'remote_ip_prefix',
                 'remote_group_id', 'remote_address_group_id')

    def _same_rule(self, body):
        """The rule Neutron would call the same as body (its 409)."""
        return next((r for r in self.data.get('security-group-rules', ())
                     if all((r.get(k) or None) == (body.get(k) or None)
                            for k in self.RULE_KEYS)), None)

    def _tagged(self, path):
        """(item, tag) of /<collection>/<id>/tags/<tag>, or (None, None)."""
        parts = path.strip('/').split('/')
        if len(parts) != 4 or parts[2] != 'tags':
            return None, None
        item = next((i for i in self.data.get(parts[0], [])
                     if i['id'] == parts[1]), None)
        return item, urllib.parse.unquote(parts[3])

    def put(self, path, json=None, headers=None, **kw):
        """Neutron's tag API: PUT /<collection>/<id>/tags/<tag> (one) or
        PUT /<collection>/<id>/tags with {"tags": [...]} (all)."""
        self.log.append(('PUT', path))
        if self._denied('PUT', path):
            return FakeResponse(403, {'NeutronError': {'message': 'denied'}})
        parts = path.strip('/').split('/')
        if len(parts) == 2:
            return self._update(parts, json, headers)
        if len(parts) == 3 and parts[2] == 'tags':
            item = next((i for i in self.data.get(parts[0], [])
                         if i['id'] == parts[1]), None)
            if item is None:
                return FakeResponse(404, {})
            item['tags'] = list(json['tags'])
            item['revision_number'] = item.get('revision_number', 0) + 1
            return FakeResponse(200, {'tags': item['tags']})
        item, tag = self._tagged(path)
        if item is None:
            return FakeResponse(404, {})
        if tag not in item.setdefault('tags', []):
            item['tags'].append(tag)
        return FakeResponse(201, None)

    def _update(self, parts, json, headers):
        """PUT /<collection>/<id> {<singular>: attrs}, If-Match honoured
        (compared and swapped, as Neutron does for an update)."""
        item = next((i for i in self.data.get(parts[0], [])
                     if i['id'] == parts[1]), None)
        if item is None:
            return FakeResponse(404, {'NeutronError': {'message': 'gone'}})
        want = (headers or {}).get('If-Match')
        if want and want != 'revision_number=%d' % item.get(
                'revision_number', 0):
            return FakeResponse(412, {'NeutronError': {
                'message': 'Constrained'}})
        [(singular, attrs)] = json.items()
        item.update(attrs)
        item['revision_number'] = item.get('revision_number', 0) + 1
        return FakeResponse(200, {singular: dict(item)})

    def delete(self, path, headers=None, **kw):
        self.log.append(('DELETE', path))
        if self._denied('DELETE', path):
            return FakeResponse(403, {'NeutronError': {'message':
                                                       'rule:delete denied'}})
        item, tag = self._tagged(path)
        if item is not None:
            if tag not in item.get('tags', []):
                return FakeResponse(404, {})
            item['tags'].remove(tag)
            return FakeResponse(204, None)
        name, item_id = path.strip('/').rsplit('/', 1)
        for item in self.data.get(name, []):
            if item['id'] == item_id:
                want = (headers or {}).get('If-Match')
                if want and want != 'revision_number=%d' % item.get(
                        'revision_number', 0):
                    return FakeResponse(412, {'NeutronError': {
                        'message': 'Constrained'}})
                self.data[name].remove(item)
                return FakeResponse(204, None)
        return FakeResponse(404, {})
