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
