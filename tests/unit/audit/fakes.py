"""A stand-in for openstacksdk's network proxy: canned responses only."""

import json


class FakeResponse:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self._body = body

    def json(self):
        if isinstance(self._body, (bytes, str)):
            return json.loads(self._body)
        return self._body


class FakeNetworkClient:
    """Answers GET path by a handler; records every call."""

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
    body = {'extensions': [{'alias': a} for a in aliases]}
    return lambda params: FakeResponse(200, body)


def paged(key, items):
    """Neutron-style pagination over items, honouring limit and marker."""
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
