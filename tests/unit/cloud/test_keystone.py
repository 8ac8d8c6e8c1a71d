"""Keystone reads that decide which decisions count: a project's tags come
from the database, never from Keystone's cached project."""

import pytest

from tests.unit.clouds import FakeResponse
from tests.unit.clouds import FakeKeystone
from xloudclient.cloud import keystone
from xloudclient.cloud import neutron
from xloudclient.harden import decisions


class StaleCache(FakeKeystone):
    """GET /projects/<id> answers from a cache that kept the tags of
    before (as Keystone's memoised get_project can, after a read raced a
    tag change); the tags API reads the database."""

    def __init__(self):
        super().__init__(('p',))
        self.cached = ['revoked-endorsement']

    def get(self, path, params=None, **kw):
        if path == '/projects/p':
            self._before('GET', path)
            return FakeResponse(200, {'project': {
                'id': 'p', 'name': 'p', 'tags': list(self.cached)}})
        return super().get(path, params=params, **kw)


def test_a_projects_tags_are_read_past_keystones_cache():
    ks = StaleCache()
    ks.data['p']['tags'] = ['current']
    assert keystone.projects(ks, ['p']) == {'p': {'name': 'p',
                                                  'tags': ['current']}}
    assert ('GET', '/projects/p/tags') in ks.log


def test_an_endorsement_settles_on_what_the_database_holds():
    """Read back through the cache, a written endorsement never shows and
    every round writes again; read back from the database it holds at
    once."""
    ks = StaleCache()
    decisions._settle_tag(ks, 'p', 'xloud-ok:v2 x', True, None)
    assert ks.data['p']['tags'] == ['xloud-ok:v2 x']
    assert [m for m, _ in ks.log].count('PUT') == 1


@pytest.mark.parametrize('body', [{}, {'tags': 'x'}, []])
def test_a_tags_answer_without_a_list_is_an_error(body):
    class Odd(FakeKeystone):
        def get(self, path, params=None, **kw):
            return FakeResponse(200, body)
    with pytest.raises(neutron.NeutronError, match='has no tags'):
        keystone.tags(Odd(('p',)), 'p')
