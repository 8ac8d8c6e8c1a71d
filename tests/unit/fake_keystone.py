"""An in-memory Keystone, just its projects and their tags: the admin
writes tags, a member reads its own project (Keystone's default policy)."""

import types
import urllib.parse

from tests.unit.audit.fakes import FakeResponse


class FakeKeystone:
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
