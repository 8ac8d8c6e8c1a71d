import pytest

from tests.unit.audit.checks.helpers import GROUPS
from tests.unit.audit.checks.helpers import ids
from tests.unit.audit.checks.helpers import rule
from tests.unit.audit.checks.helpers import run
from xloudclient.audit.settings import Settings


def _port(pid, *addresses, sgs=('web',)):
    return {'id': pid, 'name': pid, 'project_id': 'p',
            'security_groups': list(sgs),
            'allowed_address_pairs': [{'ip_address': a,
                                       'mac_address': 'fa:16:3e:00:00:01'}
                                      for a in addresses]}


PORTS = [
    _port('any4', '0.0.0.0/0'),
    _port('any6', '::/0'),
    _port('host4', '10.0.0.5'),
    _port('host4-32', '10.0.0.5/32'),
    _port('host6', '2001:db8::5/128'),
    _port('net24', '10.0.0.0/24'),
    _port('net28', '10.0.0.0/28'),
    _port('net16', '10.0.0.0/16'),
    _port('net6-64', '2001:db8::/64'),
    _port('net6-48', '2001:db8::/48'),
    _port('two', '10.0.0.0/8', '0.0.0.0/0'),
    _port('none'),
]


def test_any_address():
    found = run('aap-any-address', ports=PORTS)
    assert ids(found) == ['any4', 'any6', 'two']
    assert {f.key for f in found} == {'0.0.0.0/0', '::/0'}
    any4 = [f for f in found if f.resource_id == 'any4'][0]
    assert any4.remediation == (
        'openstack port unset --allowed-address ip-address=0.0.0.0/0,'
        'mac-address=fa:16:3e:00:00:01 any4')


def test_wide_prefix_default_threshold():
    assert ids(run('aap-wide-prefix', ports=PORTS)) == [
        'net16', 'net6-48', 'two']


def test_wide_prefix_threshold_configurable():
    settings = Settings(ipv4_max_prefix=30, ipv6_max_prefix=128)
    assert ids(run('aap-wide-prefix', settings, ports=PORTS)) == [
        'net16', 'net24', 'net28', 'net6-48', 'net6-64', 'two']


def test_remote_group_bypass_needs_a_reference():
    refs = [rule('ref', security_group_id='def', remote_ip_prefix=None,
                 remote_group_id='web')]
    found = run('aap-remote-group-bypass', ports=PORTS,
                security_groups=GROUPS, security_group_rules=refs)
    assert ids(found) == sorted(['any4', 'any6', 'net24', 'net28', 'net16',
                                 'net6-64', 'net6-48', 'two', 'two'])
    assert all('1 rule(s)' in f.detail for f in found)
    assert run('aap-remote-group-bypass', ports=PORTS,
               security_groups=GROUPS, security_group_rules=[]) == []


def test_remote_group_bypass_other_group_not_referenced():
    refs = [rule('ref', security_group_id='web', remote_ip_prefix=None,
                 remote_group_id='def')]
    assert run('aap-remote-group-bypass', ports=PORTS,
               security_groups=GROUPS, security_group_rules=refs) == []


def test_an_unparsable_pair_does_not_hide_the_next_one():
    port = _port('bad-then-any', 'not-an-address', '0.0.0.0/0')
    assert ids(run('aap-any-address', ports=[port])) == ['bad-then-any']


@pytest.mark.parametrize('spelled, canonical', [
    ('FD00::/ffff::', 'fd00::/16'), ('fd00::/+8', 'fd00::/8'),
    ('2001:DB8::/0', '2001:db8::/0'), ('10.0.0.1/8', '10.0.0.0/8')])
def test_a_pair_spelled_as_netaddr_reads_it_gives_the_canonical_findings(
        spelled, canonical):
    """Neutron keeps a pair's ip_address as written: every check reads
    the spelling as its canonical form."""
    total = 0
    for check in ('aap-any-address', 'aap-wide-prefix'):
        spelled_found = run(check, ports=[_port('p1', spelled)])
        canonical_found = run(check, ports=[_port('p1', canonical)])
        assert [f.detail.replace(spelled, canonical)
                for f in spelled_found] == \
            [f.detail for f in canonical_found]
        total += len(canonical_found)
    assert total == 1
