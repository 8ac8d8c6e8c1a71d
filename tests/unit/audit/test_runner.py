from tests.unit.audit import fakes
from xloudclient.audit import catalog
from xloudclient.audit import runner
from xloudclient.audit.inventory import Inventory

CHECK = 'network-port-security-disabled'


def _checks():
    return catalog.select(only=[CHECK])


def test_missing_extension_is_a_limitation_not_silence():
    inv = Inventory(networks=[{'id': 'n', 'port_security_enabled': False}])
    findings, limitations = runner.evaluate(_checks(), inv)
    assert findings == []
    assert limitations == [
        'check %s not run: the cloud lacks the Neutron extension '
        'port-security' % CHECK]


def test_run_fetches_only_what_checks_need():
    client = fakes.FakeNetworkClient({
        '/extensions': fakes.extensions('port-security'),
        '/networks': fakes.paged('networks', [
            {'id': 'a', 'port_security_enabled': False},
            {'id': 'b', 'port_security_enabled': True}])})
    result = runner.run(client, _checks(), project_id='p')
    assert [f.resource_id for f in result.findings] == ['a']
    assert result.fetched == ('networks',)
    assert result.resources_scanned() == 2
    assert sorted({c[0] for c in client.calls}) == ['/extensions',
                                                    '/networks']
