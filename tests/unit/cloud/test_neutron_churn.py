"""The paginator while items are deleted between its pages."""

import pytest

from tests.unit.clouds import FakeResponse
from xloudclient.cloud import neutron


class Churning:
    """A collection paginated as Neutron does (sorted by id, marker =
    last id of a page); before answering request n, delete[n] is deleted.
    A missing marker is a 404 ('404', as for ports and networks), an empty
    page ('empty', as for routers and floating IPs) or ignored: the first
    page again ('restart', as for other types)."""

    def __init__(self, ids, missing, delete=None):
        self.ids = sorted(ids)
        self.missing = missing
        self.delete = delete or {}
        self.requests = 0

    def get(self, path, params=None, **kw):
        for gone in self.delete.get(self.requests, ()):
            self.ids.remove(gone)
        self.requests += 1
        if path.count('/') == 2:                    # /ports/<id>
            item = path.rsplit('/', 1)[1]
            if item in self.ids:
                return FakeResponse(200, {'port': {'id': item}})
            return FakeResponse(404, {'NeutronError': {
                'message': 'Port %s could not be found' % item}})
        marker, limit = params.get('marker'), params['limit']
        start = 0
        if marker is not None:
            if marker in self.ids:
                start = self.ids.index(marker) + 1
            elif self.missing == '404':
                return FakeResponse(404, {'NeutronError': {
                    'message': 'Port %s could not be found' % marker}})
            elif self.missing == 'empty':
                return FakeResponse(200, {'ports': []})
        page = self.ids[start:start + limit]
        body = {'ports': [{'id': i} for i in page]}
        if len(page) == limit:
            body['ports_links'] = [{'rel': 'next', 'href':
                                    'http://n/v2.0/ports?marker=' + page[-1]}]
        return FakeResponse(200, body)


IDS = ['%02d' % i for i in range(10)]


@pytest.mark.parametrize('missing', ['404', 'empty', 'restart'])
@pytest.mark.parametrize('delete, survivors', [
    ({}, IDS),
    # the marker (the first page's last item) deleted before page two
    ({1: ['02']}, [i for i in IDS if i != '02']),
    # the marker and the item before it
    ({1: ['01', '02']}, [i for i in IDS if i not in ('01', '02')]),
    # everything read so far: read again from the start
    ({1: ['00', '01', '02']}, IDS[3:]),
    # a marker deleted on two pages running, and later items too
    ({1: ['02'], 2: ['04', '05', '08']},
     [i for i in IDS if i not in ('02', '04', '05', '08')]),
])
def test_every_item_that_still_exists_is_read_once(
        missing, delete, survivors):
    client, index = Churning(IDS, missing, delete), {}
    items, _ = neutron.list_counted(client, 'ports', {}, 'ports',
                                    neutron.Reading(page_size=3),
                                    index=index)
    ids = [i['id'] for i in items]
    # the index made while reading is the index of what was kept
    assert index == {i['id']: i for i in items}
    assert all(index[i['id']] is i for i in items)
    assert len(ids) == len(set(ids))
    # What was read before its deletion is kept: the listing is as of
    # each page's time, never with an item twice, never missing one that
    # lived throughout.
    assert set(survivors) <= set(ids) <= set(IDS)


@pytest.mark.parametrize('missing', ['404', 'empty', 'restart'])
def test_a_cloud_deleting_every_marker_fails_after_a_bound(missing):
    # Delete each page's marker before the next page, forever: a bounded
    # number of recoveries, then the one-line error (never a loop).
    ids = ['%04d' % i for i in range(2000)]

    class Always(Churning):
        def get(self, path, params=None, **kw):
            marker = params.get('marker')
            if marker in self.ids:
                self.ids.remove(marker)
            return super().get(path, params, **kw)
    client = Always(ids, missing)
    with pytest.raises(neutron.NeutronError, match='kept being deleted'):
        neutron.list_(client, 'ports', {}, 'ports',
                      neutron.Reading(page_size=2))
    pages = len(ids) // 2
    assert client.requests <= (neutron.START_OVERS + 1) * pages + \
        2 * neutron.MARKER_RECOVERIES


def test_a_404_on_the_first_page_is_still_a_missing_api():
    class Missing:
        def get(self, path, params=None, **kw):
            return FakeResponse(404, {'NeutronError': {'message': 'no'}})
    with pytest.raises(neutron.NotFound, match='extension security-group'):
        neutron.list_(Missing(), 'security-groups', {}, 'security groups')


@pytest.mark.parametrize('odd', [{'name': 'no id'}, 'not a dict', None])
def test_an_item_without_an_id_leaves_the_index_empty(odd):
    class Odd(Churning):
        def get(self, path, params=None, **kw):
            resp = super().get(path, params, **kw)
            if params.get('marker') == IDS[2]:   # on the second page
                resp._body['ports'].append(odd)
            return resp
    index = {}
    items, _ = neutron.list_counted(Odd(IDS, 'restart'), 'ports', {},
                                    'ports', neutron.Reading(page_size=3),
                                    index=index)
    assert odd in items and index == {}
