import pytest

from tests.unit.audit.fakes import FakeResponse
from xloudclient import neutron

REFUSED = (
    'Unable to establish connection to http://127.0.0.1:19696/v2.0/ports?'
    'limit=1000&fields=id&fields=name&fields=project_id: HTTPConnectionPool('
    "host='127.0.0.1', port=19696): Max retries exceeded with url: /v2.0/"
    'ports?limit=1000&fields=id (Caused by NewConnectionError(\'<urllib3.'
    'connection.HTTPConnection object at 0x7f>: Failed to establish a new '
    "connection: [Errno 111] Connection refused'))")


class ConnectFailure(Exception):
    pass


class ConnectTimeout(Exception):
    pass


@pytest.mark.parametrize('error, expected', [
    (ConnectFailure(REFUSED),
     'cannot reach Neutron at http://127.0.0.1:19696: connection refused'),
    (ConnectTimeout('Request to https://net.example:9696/v2.0/ports?a=b '
                    'timed out'),
     'cannot reach Neutron at https://net.example:9696: timed out'),
    (ConnectFailure('Unable to establish connection to http://[::1]:9696/'
                    'v2.0/ports: Connection reset by peer'),
     'cannot reach Neutron at http://[::1]:9696: connection reset'),
    (ValueError('Expecting value: line 1'),
     'ValueError: Expecting value: line 1'),
])
def test_transport_errors_name_the_endpoint_not_the_query(error, expected):
    assert neutron.describe(error) == expected


def test_echoed_neutron_messages_are_bounded():
    resp = FakeResponse(400, {'NeutronError': {'message': 'x' * 30000000}})
    with pytest.raises(neutron.NeutronError) as err:
        neutron.check_response(resp, 'creating rule')
    assert len(str(err.value)) < 250


def test_list_follows_pages():
    pages = {None: {'ports': [{'id': 'a'}], 'ports_links': [
        {'rel': 'next', 'href': 'http://n/v2.0/ports?limit=1&marker=a'}]},
             'a': {'ports': [{'id': 'b'}], 'ports_links': [
                 {'rel': 'next', 'href': 'http://n/v2.0/ports?marker=b'}]},
             'b': {'ports': []}}

    class Client:
        def get(self, path, params=None, **kw):
            return FakeResponse(200, pages[params.get('marker')])
    assert [p['id'] for p in neutron.list_(Client(), 'ports', {}, 'x')] == [
        'a', 'b']


@pytest.mark.parametrize('body', ['{"port": ', '[]', '{"other": 1}'])
def test_bad_bodies_are_one_line_errors(body):
    class Client:
        def get(self, path, **kw):
            return FakeResponse(200, body)
    with pytest.raises(neutron.NeutronError, match='response'):
        neutron.get(Client(), 'ports', 'p1')


@pytest.mark.parametrize('status, refusal', [
    (399, False), (400, True), (403, True), (404, True), (408, False),
    (409, False), (412, False), (413, True), (429, False), (430, True),
    (499, True), (500, False), (503, False)])
def test_refusals_are_the_4xx_that_retrying_cannot_change(status, refusal):
    assert neutron.is_refusal(neutron.NeutronError(status, 'x')) is refusal
    assert neutron.is_refusal(ValueError('no status')) is False


def test_bounded_keeps_text_at_the_limit_and_cuts_longer_text_to_it():
    assert neutron.bounded('x' * 10, 10) == 'x' * 10
    assert neutron.bounded('x' * 11, 10) == 'xxxxxxx...'
    assert neutron.bounded('a\n b', 10) == 'a b'


class Recorder:
    """Answers every request 200/201/204 and records (method, path)."""

    def __init__(self, ports=()):
        self.calls, self.ports = [], list(ports)

    def get(self, path, params=None, **kw):
        self.calls.append(('GET', path, dict(params or {})))
        return FakeResponse(200, {'ports': self.ports})

    def put(self, path, **kw):
        self.calls.append(('PUT', path, None))
        return FakeResponse(201, None)

    def delete(self, path, **kw):
        self.calls.append(('DELETE', path, None))
        return FakeResponse(204, None)


def test_tag_paths_quote_everything_and_name_the_collection():
    client = Recorder()
    neutron.add_tag(client, 'ports', 'p1', 'a/b?c d%')
    neutron.remove_tag(client, 'ports', 'p1', 'a/b?c d%')
    assert [c[1] for c in client.calls] == [
        '/ports/p1/tags/a%2Fb%3Fc%20d%25'] * 2


def test_find_by_name_in_a_project_and_refuse_duplicates():
    client = Recorder([{'id': 'x1'}])
    assert neutron.find(client, 'ports', 'web', project_id='proj') == {
        'id': 'x1'}
    assert client.calls[-1][2]['project_id'] == 'proj'
    assert client.calls[-1][2]['name'] == 'web'
    with pytest.raises(neutron.NeutronError, match='more than one') as err:
        neutron.find(Recorder([{'id': 'a'}, {'id': 'b'}]), 'ports', 'web')
    assert err.value.status == 409
    with pytest.raises(neutron.NotFound, match="no port named or with ID "
                       "'web' in project proj") as err:
        neutron.find(Recorder([]), 'ports', 'web', project_id='proj')
    assert err.value.status == 404
