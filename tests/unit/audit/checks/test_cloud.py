"""cloud-unfiltered: no security groups at all, or port security off on
every port instances use."""

from tests.unit.audit.checks.helpers import TODAY
from tests.unit.audit.checks.helpers import run

ALL = frozenset(['security-group', 'port-security'])


def _port(pid, off=True, **kw):
    return dict({'id': pid, 'project_id': 'p', 'network_id': 'n',
                 'device_owner': 'compute:nova', 'fixed_ips': [],
                 'port_security_enabled': not off}, **kw)


def _run(extensions=ALL, ports=(), scoped=False):
    return run('cloud-unfiltered', extensions=frozenset(extensions),
               ports=list(ports), scoped=scoped,
               networks=[{'id': 'n', 'project_id': 'p'}], subnets=[],
               routers=[])


def test_a_cloud_without_security_groups_is_critical():
    [f] = _run(['port-security'], [_port('a', off=False)])
    assert (f.severity, f.resource_type, f.resource_id, f.key) == (
        'critical', 'cloud', 'neutron', 'no-security-groups')
    assert 'offers no security groups' in f.detail
    assert f.remediation == 'openstack extension list --network -c Alias'


def test_port_security_off_on_every_ordinary_port_is_critical():
    [f] = _run(ports=[_port('a'), _port('b')])
    assert f.key == 'port-security-off-everywhere'
    assert f.detail == ('port security is off on every one of the 2 ports '
                        'instances use: none is filtered')


def test_one_filtered_port_or_no_port_is_no_finding():
    assert _run(ports=[_port('a'), _port('b', off=False)]) == []
    assert _run(ports=[]) == []


def test_neutrons_own_ports_do_not_count():
    # a DHCP port of a network another project owns is Neutron's own
    dhcp = _port('dhcp', off=False, device_owner='network:dhcp',
                 network_id='n2')
    found = run('cloud-unfiltered', extensions=ALL,
                ports=[_port('a'), dhcp],
                networks=[{'id': 'n', 'project_id': 'p'},
                          {'id': 'n2', 'project_id': 'admin'}],
                subnets=[], routers=[])
    assert [f.key for f in found] == ['port-security-off-everywhere']


def test_without_the_port_security_extension_nothing_is_claimed():
    assert _run(['security-group'], [_port('a')]) == []


def test_a_projects_audit_says_nothing_of_the_cloud_from_its_ports():
    assert _run(ports=[_port('a')], scoped=True) == []
    [f] = _run(['port-security'], scoped=True)
    assert f.key == 'no-security-groups'        # the API is the cloud's


def test_the_runner_keeps_a_finding_on_the_cloud_itself():
    # a finding on no Neutron resource has no decision to look up: the
    # runner's split of accepted findings took its type for one and died
    from xloudclient.audit import catalog
    from xloudclient.audit import inventory
    from xloudclient.audit import runner

    inv = inventory.Inventory(extensions=frozenset(['port-security']),
                              endorsements={})
    findings, limitations = runner.evaluate(catalog.select(), inv)
    assert [f.check for f in findings if f.severity == 'critical'] == [
        'cloud-unfiltered']
    from xloudclient.audit import accepted
    shown, quiet = accepted.split(findings, inv, TODAY)
    assert 'cloud-unfiltered' in [f.check for f in shown] and quiet == []
    assert any('extensions allowed-address-pairs, security-group' in line
               for line in limitations)


def test_a_members_claim_of_a_neutron_owner_does_not_take_a_port_out():
    # demo's own port on demo's own network says network:dhcp: a claim
    # its project can write, so it still counts as a port instances use
    claimed = _port('fake-dhcp', device_owner='network:dhcp')
    [f] = _run(ports=[_port('a'), claimed])
    assert f.detail.startswith('port security is off on every one of the '
                               '2 ports')
