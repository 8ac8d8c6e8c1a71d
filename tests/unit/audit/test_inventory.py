import pytest

from tests.unit import clouds
from xloudclient.audit import inventory

NETS = [{'id': 'n%03d' % i, 'port_security_enabled': True}
        for i in range(7)]


def _client(networks_handler):
    return clouds.Canned({
        '/extensions': clouds.extensions('port-security'),
        '/networks': networks_handler})


def test_follows_pagination_and_counts_requests():
    client = _client(clouds.paged('networks', NETS))
    inv = inventory.fetch(client, ['networks'],
                          how=inventory.Fetching(page_size=3))
    assert [n['id'] for n in inv.networks] == [n['id'] for n in NETS]
    # 1 extensions call + ceil(7/3) pages
    assert inv.requests == 4
    markers = [c[1].get('marker') for c in client.calls
               if c[0] == '/networks']
    assert markers == [None, 'n002', 'n005']


def test_one_call_when_everything_fits():
    client = _client(clouds.paged('networks', NETS))
    inventory.fetch(client, ['networks'])
    assert [c[0] for c in client.calls].count('/networks') == 1


def test_fields_limited_and_project_filter():
    client = _client(clouds.paged('networks', NETS))
    inventory.fetch(client, ['networks'], project_id='p1',
                    how=inventory.Fetching(timeout=7))
    path, params, timeout = [c for c in client.calls
                             if c[0] == '/networks'][0]
    assert params['project_id'] == 'p1'
    assert 'port_security_enabled' in params['fields']
    assert 'id' in params['fields']
    assert timeout == 7


def test_no_project_filter_for_all_projects():
    client = _client(clouds.paged('networks', NETS))
    inventory.fetch(client, ['networks'])
    params = [c[1] for c in client.calls if c[0] == '/networks'][0]
    assert 'project_id' not in params


def test_extensions_recorded():
    inv = inventory.fetch(_client(clouds.paged('networks', [])),
                          ['networks'])
    assert inv.has_extension('port-security')
    assert not inv.has_extension('router')


@pytest.mark.parametrize('status, body, expected', [
    (403, {'NeutronError': {'message': 'Policy does not allow it'}},
     'HTTP 403: Policy does not allow it'),
    (500, 'not json at all', 'HTTP 500'),
    (503, {'error': {'message': 'busy'}}, 'HTTP 503: busy'),
])
def test_http_errors_fail_closed(status, body, expected):
    client = _client(lambda params: clouds.FakeResponse(status, body))
    with pytest.raises(inventory.InventoryError) as err:
        inventory.fetch(client, ['networks'])
    assert err.value.resource_type == 'networks'
    assert expected in str(err.value)


def test_a_failing_later_page_fails_everything():
    pages = clouds.paged('networks', NETS)

    def handler(params):
        if params.get('marker'):
            return clouds.FakeResponse(500, {})
        return pages(params)

    with pytest.raises(inventory.InventoryError, match='HTTP 500'):
        inventory.fetch(_client(handler), ['networks'],
                        how=inventory.Fetching(page_size=3))


def test_transport_errors_fail_closed():
    client = _client(TimeoutError('read timed out'))
    with pytest.raises(inventory.InventoryError,
                       match='could not read networks: TimeoutError'):
        inventory.fetch(client, ['networks'])


def test_extensions_failure_fails_closed():
    client = clouds.Canned({
        '/extensions': lambda p: clouds.FakeResponse(401, {}),
        '/networks': clouds.paged('networks', NETS)})
    with pytest.raises(inventory.InventoryError, match='extensions'):
        inventory.fetch(client, ['networks'])


def test_body_without_collection_fails_closed():
    client = _client(lambda params: clouds.FakeResponse(200, {'x': []}))
    with pytest.raises(inventory.InventoryError, match='has no networks list'):
        inventory.fetch(client, ['networks'])


def test_unknown_resource_type_refused():
    with pytest.raises(ValueError):
        inventory.fetch(_client(clouds.paged('networks', [])), ['flavors'])


def test_types_of_a_missing_extension_are_not_fetched():
    client = clouds.Canned({
        '/extensions': clouds.extensions('port-security'),
        '/networks': clouds.paged('networks', NETS)})
    inv = inventory.fetch(client, ['networks', 'routers', 'floatingips'])
    assert {c[0] for c in client.calls} == {'/extensions', '/networks'}
    assert inv.routers == [] and inv.floatingips == []


def test_runner_reports_the_limitation():
    from xloudclient.audit import catalog
    from xloudclient.audit import runner

    client = clouds.Canned({
        '/extensions': clouds.extensions('port-security'),
        '/networks': clouds.paged('networks', NETS)})
    result = runner.run(client, runner.Scan(tuple(catalog.select(
        only=['router-external-gateway', 'network-port-security-disabled']))))
    assert result.limitations == [
        'check router-external-gateway not run: the cloud lacks the '
        'Neutron extension router']
    # the summary's "scanned" names what was listed, not what was lacked
    assert result.fetched == ('networks',)


def _filtered(key, items):
    """A collection that honours list filters (a value or a list of them)."""
    def handler(params):
        def keep(item):
            for k, v in params.items():
                if k in ('fields', 'limit', 'marker'):
                    continue
                if item.get(k) not in (v if isinstance(v, list) else [v]):
                    return False
            return True
        return clouds.FakeResponse(200, {key: [i for i in items if keep(i)]})
    return handler


def test_scoped_rules_are_the_rules_of_the_groups_in_scope():
    """An admin's rule in a project's group is in the admin's project:
    the project's audit must see it; another project's rule must not
    come in through the rule's own project either."""
    groups = [{'id': 'g1', 'project_id': 'demo'},
              {'id': 'g2', 'project_id': 'other'}]
    rules = [{'id': 'r-admin', 'security_group_id': 'g1',
              'project_id': 'admin'},
             {'id': 'r-demo', 'security_group_id': 'g1',
              'project_id': 'demo'},
             {'id': 'r-other', 'security_group_id': 'g2',
              'project_id': 'demo'}]
    client = clouds.Canned({
        '/extensions': clouds.extensions('security-group'),
        '/security-groups': _filtered('security_groups', groups),
        '/security-group-rules': _filtered('security_group_rules', rules)})
    inv = inventory.fetch(client, ['security_group_rules'],
                          project_id='demo')
    assert sorted(r['id'] for r in inv.security_group_rules) == [
        'r-admin', 'r-demo']
    assert [g['id'] for g in inv.security_groups] == ['g1']
    every = inventory.fetch(client, ['security_group_rules'])
    assert len(every.security_group_rules) == 3


def _forwarding_cloud():
    return clouds.FakeNeutron(
        ['router'],
        floatingips=[{'id': 'f', 'port_forwardings': [
            {'protocol': 'udp', 'internal_port_id': 'vm'}]},
            {'id': 'g', 'port_forwardings': [
                {'protocol': 'tcp', 'internal_port_id': 'vm',
                 'internal_port': 22, 'external_port': 2222}]},
            {'id': 'h', 'port_forwardings': []}],
        port_forwardings=[{'id': 'pf', 'floatingip_id': 'f',
                           'protocol': 'udp', 'internal_port_id': 'vm',
                           'internal_port_range': '8000:8010',
                           'external_port_range': '18000:18010'}])


def test_a_range_forwardings_ports_are_read_from_its_floating_ip():
    cloud = _forwarding_cloud()
    inv = inventory.fetch(cloud, ['floatingips'])
    fips = inv.by_type('floatingips')
    assert fips['f']['port_forwardings'][0]['internal_port_range'] == \
        '8000:8010'
    # one more list, for the floating IP whose list gave no ports only
    assert [p for _, p in cloud.log if 'port_forwardings' in p] == [
        '/floatingips/f/port_forwardings']
    assert inv.requests == 3


def test_a_range_forwarding_not_read_fails_closed():
    cloud = _forwarding_cloud()
    cloud.fail['/floatingips/f/port_forwardings'] = 503
    with pytest.raises(inventory.InventoryError) as e:
        inventory.fetch(cloud, ['floatingips'])
    assert 'floatingips' in str(e.value)


def test_templates_are_the_clouds_read_only_for_all_projects():
    templates = [{'id': 't1', 'direction': 'ingress'}]
    handlers = {
        '/extensions': clouds.extensions('security-groups-default-rules'),
        '/default-security-group-rules': clouds.paged(
            'default_security_group_rules', templates)}
    client = clouds.Canned(dict(handlers))
    inv = inventory.fetch(client, ['default_security_group_rules'])
    assert inv.default_security_group_rules == templates
    [params] = [c[1] for c in client.calls
                if c[0] == '/default-security-group-rules']
    assert 'project_id' not in params
    # a project's audit asks nothing of them
    client = clouds.Canned(dict(handlers))
    inv = inventory.fetch(client, ['default_security_group_rules'],
                          project_id='p1')
    assert inv.default_security_group_rules == []
    assert {c[0] for c in client.calls} == {'/extensions'}


def test_quotas_are_two_requests_whatever_the_projects():
    rows = [{'project_id': 'p%04d' % i, 'port': -1} for i in range(1000)]
    cloud = clouds.FakeNeutron(['quotas'], quotas=rows,
                               quota_defaults=[{'port': 500}])
    inv = inventory.fetch(cloud, ['quotas', 'quota_defaults'])
    assert inv.quotas == rows and inv.quota_defaults == [{'port': 500}]
    assert sorted(p for p, _ in cloud.queries) == [
        '/extensions', '/quotas', '/quotas/admin-project/default']
    assert inv.requests == 3
    # a project's audit reads none
    cloud = clouds.FakeNeutron(['quotas'], quotas=rows)
    inv = inventory.fetch(cloud, ['quotas', 'quota_defaults'],
                          project_id='p0001')
    assert inv.quotas == [] and [p for p, _ in cloud.queries] == [
        '/extensions']


@pytest.mark.parametrize('status, body', [
    (403, {'NeutronError': {'message': 'not allowed'}}),
    (200, {'quotas': 'none'}), (200, {'quotas': ['x']}), (200, [])])
def test_quotas_not_read_fail_closed(status, body):
    cloud = clouds.Canned({
        '/extensions': clouds.extensions('quotas'),
        '/quotas': lambda params: clouds.FakeResponse(status, body)})
    with pytest.raises(inventory.InventoryError, match='quotas'):
        inventory.fetch(cloud, ['quotas'])
