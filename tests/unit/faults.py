"""Faults at the k-th request to an in-memory Neutron, for the unit tier.

Kinds, as the functional proxy injects them on the wire:
  reset          the connection drops before the request reaches Neutron
  500, 503, 409  Neutron answers that status without doing anything
  500-after      Neutron applies the request, the client gets a 500
  timeout-after  Neutron applies it, the client times out waiting
  bad-body       Neutron applies it, the response body is not JSON
"""

import json

from tests.unit.clouds import FakeResponse

KINDS = ('reset', '500', '503', '409', '500-after', 'timeout-after',
         'bad-body')


class Reset(ConnectionError):
    """Stands for keystoneauth1's ConnectFailure."""


class Timeout(TimeoutError):
    """Stands for keystoneauth1's ConnectTimeout / read timeout."""


class FaultyClient:
    """Wraps a fake client; the request numbered `at` (1-based, counting
    those of also() clients too) fails, or with methods (e.g. ('put',))
    every request of those methods to this client."""

    def __init__(self, cloud, kind=None, at=None, methods=None):
        self.cloud, self.kind, self.at = cloud, kind, at
        self.count = 0
        self.methods = methods   # given: every request of these fails

    def __getattr__(self, name):
        return getattr(self.cloud, name)

    def also(self, other):
        """A client of another service (a fake Keystone) whose requests
        count, and fail, in the same sequence as this one's."""
        return _Also(self, other)

    def _call(self, method, *args, _target=None, **kw):
        target = self.cloud if _target is None else _target
        self.count += 1
        if self.methods is not None:    # only this service's requests
            if method not in self.methods or _target is not None:
                return getattr(target, method)(*args, **kw)
        elif self.count != self.at:
            return getattr(target, method)(*args, **kw)
        kind = self.kind
        if kind == 'reset':
            raise Reset('Connection reset by peer')
        if kind in ('500', '503', '409'):
            return FakeResponse(int(kind), {'NeutronError': {
                'message': 'injected %s' % kind}})
        resp = getattr(target, method)(*args, **kw)       # it lands
        if kind == '500-after':
            return FakeResponse(500, {'NeutronError': {
                'message': 'injected 500 after the change'}})
        if kind == 'timeout-after':
            raise Timeout('Read timed out')
        if kind == 'bad-body':
            return FakeResponse(resp.status_code, '{"port": {"id": ')
        raise ValueError('unknown fault kind %r' % kind)

    def get(self, *a, **kw):
        return self._call('get', *a, **kw)

    def put(self, *a, **kw):
        return self._call('put', *a, **kw)

    def post(self, *a, **kw):
        return self._call('post', *a, **kw)

    def delete(self, *a, **kw):
        return self._call('delete', *a, **kw)


class _Also:
    def __init__(self, faulty, other):
        self._faulty, self._other = faulty, other

    def __getattr__(self, name):
        return getattr(self._other, name)

    def get(self, *a, **kw):
        return self._faulty._call('get', *a, _target=self._other, **kw)

    def put(self, *a, **kw):
        return self._faulty._call('put', *a, _target=self._other, **kw)

    def delete(self, *a, **kw):
        return self._faulty._call('delete', *a, _target=self._other, **kw)


def identity_of(client):
    """The Keystone beside a (possibly faulty) fake Neutron: faulty too
    when the Neutron is."""
    if isinstance(client, FaultyClient):
        return client.also(client.cloud.keystone)
    return client.keystone


def matrix(run, make, state, error_class, way_on, extra=None,
           rerun_refusal=None):
    """Every kind at every request of run(client) on a fresh make();
    returns (faults injected, [problems]).

    The invariant: the state is before or after, or run raised error_class
    (one line) whose text contains way_on; an error saying "nothing was
    changed" left the before state; a rerun ends in the after state
    (raising only a refusal containing rerun_refusal, if given). extra(
    cloud) may add problems of its own.
    """
    cloud = make()
    before = state(cloud)
    n = count_requests(run, cloud)
    after = state(cloud)
    assert n >= 3 and before != after
    tried, bad = 0, []
    for kind in KINDS:
        for k in range(1, n + 1):
            cloud = make()
            error = None
            try:
                run(FaultyClient(cloud, kind, k))
            except Exception as e:
                error = e
            tried += 1
            now = state(cloud)
            problems = list(extra(cloud)) if extra else []
            if 'nothing was changed' in str(error) and now != before:
                problems.append('said nothing was changed, left %s'
                                % (now,))
            if now not in (before, after) and (
                    error is None or way_on not in str(error)):
                problems.append('left %s and named no way on: %r'
                                % (now, error))
            if error is not None and (not isinstance(error, error_class)
                                      or '\n' in str(error)):
                problems.append('not a one-line command error: %r' % error)
            try:
                run(cloud)
            except error_class as e:
                if not rerun_refusal or rerun_refusal not in str(e):
                    problems.append('rerun failed: %s' % e)
            if state(cloud) != after:
                problems.append('rerun ends in %s' % (state(cloud),))
            if problems:
                bad.append('%s at request %d: %s' % (kind, k, problems))
    return tried, bad


def count_requests(run, cloud):
    """How many requests run(client) makes without faults."""
    client = FaultyClient(cloud)
    run(client)
    return client.count


def snapshot(cloud):
    return json.loads(json.dumps(cloud.ports, sort_keys=True))
