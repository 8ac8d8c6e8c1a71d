import pytest

from tests.unit.clouds import FakeResponse
from xloudclient.cloud import neutron

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


# --- what each request names when it fails ----------------------------------

class Answers:
    """Every request answered with one status and body."""

    def __init__(self, status, body=None):
        self.status, self.body, self.params = status, body, []

    def _answer(self, path, params=None, **kw):
        self.params.append(dict(params or {}))
        return FakeResponse(self.status, self.body)
    get = put = post = delete = _answer


DENIED = {'NeutronError': {'message': 'denied'}}


@pytest.mark.parametrize('call, text', [
    (lambda c: neutron.get(c, 'security-groups', 'g1'),
     'security group g1: denied'),
    (lambda c: neutron.get(c, 'ports', 'p1', 'reading the VIP port'),
     'reading the VIP port: denied'),
    (lambda c: neutron.list_(c, 'ports', None, 'listing ports'),
     'listing ports: denied'),
    (lambda c: neutron.create(c, 'ports', {}, 'reserving 10.0.0.5'),
     'reserving 10.0.0.5: denied'),
    (lambda c: neutron.add_tag(c, 'ports', 'p1', 't'),
     'tagging port p1: denied'),
    (lambda c: neutron.remove_tag(c, 'ports', 'p1', 't'),
     'untagging port p1: denied'),
    (lambda c: neutron.delete(c, 'ports', 'p1'), 'deleting port p1: denied'),
    (lambda c: neutron.find(c, 'networks', 'n' * 100),
     "looking up network '%s...': denied" % ('n' * 77)),
])
def test_a_failed_request_names_what_it_was_doing(call, text):
    with pytest.raises(neutron.NeutronError) as err:
        call(Answers(403, DENIED))
    assert str(err.value) == text and err.value.status == 403


@pytest.mark.parametrize('body, text', [
    ('{"ports": ', 'listing ports: the response was not JSON'),
    ({'ports': {}}, 'listing ports: the response has no ports list'),
    ([], 'listing ports: the response has no ports list'),
])
def test_a_list_without_a_list_is_a_bad_gateway(body, text):
    with pytest.raises(neutron.NeutronError) as err:
        neutron.list_(Answers(200, body), 'ports', None, 'listing ports')
    assert (str(err.value), err.value.status) == (text, 502)


def test_a_get_without_the_item_is_a_bad_gateway():
    with pytest.raises(neutron.NeutronError) as err:
        neutron.get(Answers(200, {'network': {}}), 'ports', 'p1')
    assert (str(err.value), err.value.status) == (
        'port p1: the response has no port', 502)


def test_lists_ask_for_pages_of_the_page_size():
    client = Answers(200, {'ports': []})
    neutron.list_(client, 'ports', {'name': 'x'}, 'listing',
                  neutron.Reading(page_size=7))
    assert client.params == [{'name': 'x', 'limit': 7}]


@pytest.mark.parametrize('status, ok', [(200, True), (201, False),
                                        (204, True), (404, True)])
def test_removing_a_tag_accepts_only_success_or_gone(status, ok):
    client = Answers(status, DENIED)
    if ok:
        neutron.remove_tag(client, 'ports', 'p1', 't')
    else:
        with pytest.raises(neutron.NeutronError):
            neutron.remove_tag(client, 'ports', 'p1', 't')


@pytest.mark.parametrize('status, ok', [(204, True), (404, True),
                                        (200, False), (205, False),
                                        (405, False)])
def test_deleting_accepts_only_no_content_or_gone(status, ok):
    client = Answers(status, DENIED)
    if ok:
        neutron.delete(client, 'ports', 'p1')
    else:
        with pytest.raises(neutron.NeutronError):
            neutron.delete(client, 'ports', 'p1')


@pytest.mark.parametrize('links, marker', [
    (['junk', {'rel': 'next', 'href': 'http://n/?marker=m'}], 'm'),
    ([{'rel': 'previous', 'href': 'http://n/?marker=p'}], None),
    ([{'rel': 'next'}], None),
    (None, None),
])
def test_next_marker_reads_only_next_links_with_a_marker(links, marker):
    assert neutron.next_marker({'ports_links': links}, 'ports') == marker


class Timeouts(Exception):
    pass


class ReadTimeout(Exception):
    pass


class Dropped(Exception):
    pass


@pytest.mark.parametrize('error, text', [
    (ReadTimeout('Read from http://n:9696/v2.0/x failed'),
     'cannot reach Neutron at http://n:9696: timed out'),
    (Timeouts('http://n:9696/v2.0/x TIMED OUT'),
     'cannot reach Neutron at http://n:9696: timed out'),
    (Dropped('http://n:9696/v2.0/x broke'),
     'cannot reach Neutron at http://n:9696: Dropped'),
    (Dropped(''), 'Dropped'),
])
def test_describe_names_the_reason(error, text):
    assert neutron.describe(error) == text


def test_an_id_that_is_not_found_is_looked_up_as_a_name():
    uuid = '11111111-2222-3333-4444-555555555555'

    class Client(Recorder):
        def get(self, path, params=None, **kw):
            if path.endswith(uuid):
                self.calls.append(('GET', path, None))
                return FakeResponse(404, DENIED)
            return super().get(path, params, **kw)
    client = Client([{'id': 'named-like-a-uuid'}])
    assert neutron.find(client, 'ports', uuid) == {'id': 'named-like-a-uuid'}
    assert client.calls[-1][2]['name'] == uuid


def test_a_timeout_is_recognised_by_its_text_too():
    assert neutron.describe(Dropped('http://n:9696/v2.0/x Read timed out')) \
        == 'cannot reach Neutron at http://n:9696: timed out'


def test_an_error_budget_absorbs_transient_errors_only_up_to_its_limit():
    budget = neutron.ErrorBudget(limit=3)
    assert budget.last() == ''
    assert budget.spent(neutron.NeutronError(503, 'busy')) is False
    assert budget.spent(ConnectionResetError('reset')) is False
    assert budget.last() == '; last error: ConnectionResetError: reset'
    assert budget.spent(neutron.NeutronError(500, 'third')) is True
    # a refusal spends it at once, and is not counted as transient
    fresh = neutron.ErrorBudget()
    assert fresh.spent(neutron.NeutronError(403, 'denied')) is True
    assert fresh.errors == []


@pytest.mark.parametrize('value, seconds', [
    (None, 60.0), ('', 60.0), ('5', 5.0), ('2.5', 2.5), ('3600', 3600.0),
    ('0.5', 0.5),
    ('3601', 60.0), ('0', 60.0), ('-1', 60.0), ('soon', 60.0),
    ('nan', 60.0)])
def test_api_timeout_from_the_environment(value, seconds):
    environ = {} if value is None else {'OS_API_TIMEOUT': value}
    assert neutron.api_timeout(environ) == seconds


def test_timed_gives_every_request_the_timeout_unless_given():
    calls = []

    class Proxy:
        endpoint = 'http://n'

        def __getattr__(self, method):
            return lambda url, **kw: calls.append((method, url, kw))
    timed = neutron.Timed(Proxy(), 7.5)
    timed.get('/ports', params={'a': 1})
    timed.put('/ports/x', json={}, timeout=3)
    timed.post('/ports', json={'port': {}}, timeout=None)
    timed.delete('/ports/x', headers={'If-Match': 'revision_number=1'})
    assert calls == [('get', '/ports', {'params': {'a': 1}, 'timeout': 7.5}),
                     ('put', '/ports/x', {'json': {}, 'timeout': 3}),
                     ('post', '/ports', {'json': {'port': {}},
                                         'timeout': 7.5}),
                     ('delete', '/ports/x', {'headers': {
                         'If-Match': 'revision_number=1'}, 'timeout': 7.5})]
    assert timed.endpoint == 'http://n' and timed.timeout == 7.5


def test_retried_until_success_within_the_budget_and_no_further():
    calls = []

    def flaky(answer, failures):
        calls.append(answer)
        if len(calls) <= failures:
            raise neutron.NeutronError(503, 'busy')
        return answer
    assert neutron.retried(flaky, 'ok', 2) == 'ok' and len(calls) == 3
    calls.clear()
    budget = neutron.ErrorBudget()
    with pytest.raises(neutron.NeutronError, match='busy'):
        neutron.retried(flaky, 'ok', 5, budget=budget)
    assert len(calls) == neutron.MAX_ERRORS == len(budget.errors)


def test_retried_raises_refusals_and_passthrough_types_at_once():
    calls = []

    def refused():
        calls.append(1)
        raise neutron.NeutronError(403, 'denied')
    with pytest.raises(neutron.NeutronError, match='denied'):
        neutron.retried(refused)
    assert calls == [1]

    def conflict():
        calls.append(2)
        raise neutron.RevisionConflict(412, 'changed')
    with pytest.raises(neutron.RevisionConflict):
        neutron.retried(conflict, passthrough=(neutron.RevisionConflict,))
    assert calls == [1, 2]


def test_list_where_asks_for_at_most_100_values_a_request():
    from tests.unit import clouds

    rules = [{'id': 'r%03d' % i, 'security_group_id': 'g%03d' % i}
             for i in range(250)]

    def handler(params):
        wanted = params['security_group_id']
        assert len(wanted) <= neutron.IDS_PER_REQUEST
        found = [r for r in rules if r['security_group_id'] in wanted]
        return clouds.paged('security_group_rules', found)(params)

    client = clouds.Canned({'/security-group-rules': handler})
    groups = ['g%03d' % i for i in range(250)] + ['g000', 'unknown']
    items, requests = neutron.list_where(
        client, 'security_group_rules', 'security_group_id', groups,
        neutron.Reading(page_size=60, timeout=7))
    assert sorted(r['id'] for r in items) == [r['id'] for r in rules]
    # 3 chunks (100, 100, 51 values); pages of 60: 2 + 2 + 1
    assert requests == len(client.calls) == 5
    assert [len(c[1]['security_group_id']) for c in client.calls
            if 'marker' not in c[1]] == [100, 100, 51]
    assert {c[2] for c in client.calls} == {7}
    assert all(c[1]['limit'] == 60 and 'fields' in c[1]
               for c in client.calls)
    every, _ = neutron.list_where(client, 'security_group_rules',
                                  'security_group_id', ['g001'])
    assert 'fields' not in client.calls[-1][1]
    assert [r['id'] for r in every] == ['r001']
    assert neutron.list_where(client, 'security_group_rules',
                              'security_group_id', []) == ([], 0)
