import pytest

from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory


def _run(networks):
    chk = {c.id: c for c in catalog.all_checks()}[
        'network-port-security-disabled']
    return chk.run(Inventory(networks=networks), None)


NET = {'id': 'n1', 'name': 'app', 'project_id': 'p1'}


@pytest.mark.parametrize('value, flagged', [
    (False, True),
    (True, False),
    (None, False),        # attribute present but null: not "false"
    ('False', False),     # a string is not what Neutron returns; not ours
])
def test_only_explicit_false_is_flagged(value, flagged):
    findings = _run([dict(NET, port_security_enabled=value)])
    assert bool(findings) is flagged


def test_missing_attribute_is_not_flagged():
    assert _run([dict(NET)]) == []


def test_finding_fields():
    [finding] = _run([dict(NET, port_security_enabled=False),
                      dict(NET, id='n2', port_security_enabled=True)])
    assert finding.severity == 'high'
    assert finding.check == 'network-port-security-disabled'
    assert (finding.resource_type, finding.resource_id,
            finding.resource_name, finding.project_id) == (
        'network', 'n1', 'app', 'p1')
    assert finding.remediation == (
        'openstack network set --enable-port-security n1')


def test_unnamed_network_has_empty_name():
    [finding] = _run([dict(NET, name=None, port_security_enabled=False)])
    assert finding.resource_name == ''
