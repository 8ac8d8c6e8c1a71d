import gc

import pytest

from tests.unit import clouds
from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory
from xloudclient.audit.inventory import InventoryError
from xloudclient.audit import runner

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
    client = clouds.Canned({
        '/extensions': clouds.extensions('port-security'),
        '/networks': clouds.paged('networks', [
            {'id': 'a', 'port_security_enabled': False},
            {'id': 'b', 'port_security_enabled': True}])})
    result = runner.run(client, runner.Scan(_checks(), ('p',)))
    assert [f.resource_id for f in result.findings] == ['a']
    assert result.fetched == ('networks',)
    assert result.resources_scanned() == 2
    assert sorted({c[0] for c in client.calls}) == ['/extensions',
                                                    '/networks']


def _client_seeing_gc(seen):
    client = clouds.Canned({
        '/extensions': clouds.extensions('port-security'),
        '/networks': clouds.paged('networks', [
            {'id': 'a', 'port_security_enabled': False}])})
    get = client.get

    def spy(*args, **kw):
        seen.append(gc.isenabled())
        return get(*args, **kw)
    client.get = spy
    return client


def test_the_cycle_collector_is_off_while_fetching_and_back_after():
    seen = []
    assert gc.isenabled()
    runner.run(_client_seeing_gc(seen), runner.Scan(_checks()))
    assert seen and not any(seen)
    assert gc.isenabled()


def test_a_collector_already_off_stays_off_and_errors_restore_it():
    gc.disable()
    try:
        runner.run(_client_seeing_gc([]), runner.Scan(_checks()))
        assert not gc.isenabled()
    finally:
        gc.enable()
    failing = clouds.Canned({'/extensions': clouds.extensions()})
    failing.get = lambda *a, **kw: 1 / 0
    with pytest.raises(InventoryError):
        runner.run(failing, runner.Scan(_checks()))
    assert gc.isenabled()
