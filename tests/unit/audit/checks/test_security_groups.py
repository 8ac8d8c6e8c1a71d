import pytest

from tests.unit.audit.checks.helpers import GROUPS
from tests.unit.audit.checks.helpers import ids
from tests.unit.audit.checks.helpers import rule
from tests.unit.audit.checks.helpers import run
from xloudclient.audit.settings import DEFAULT_SENSITIVE_PORTS
from xloudclient.audit.settings import Settings

RULES = [
    rule('any-v4', protocol=None),
    rule('any-v6', protocol=None, ethertype='IPv6', remote_ip_prefix='::/0'),
    rule('any-noremote', protocol=None, remote_ip_prefix=None),
    rule('any-egress', protocol=None, direction='egress'),
    rule('any-remote-group', protocol=None, remote_ip_prefix=None,
         remote_group_id='web'),
    rule('any-addr-group', protocol=None, remote_ip_prefix=None,
         remote_address_group_id='ag'),
    rule('any-private', protocol=None, remote_ip_prefix='10.0.0.0/8'),
    rule('ssh', port_range_min=22, port_range_max=22),
    rule('ssh-6', protocol='6', port_range_min=22, port_range_max=22),
    rule('ssh-v6', ethertype='IPv6', remote_ip_prefix='::/0',
         port_range_min=22, port_range_max=22),
    rule('ssh-bastion', port_range_min=22, port_range_max=22,
         remote_ip_prefix='192.0.2.10/32'),
    rule('ssh-egress', direction='egress', port_range_min=22,
         port_range_max=22),
    rule('udp-22', protocol='udp', port_range_min=22, port_range_max=22),
    rule('range-20-25', port_range_min=20, port_range_max=25),
    rule('all-tcp', port_range_min=1, port_range_max=65535),
    rule('https', port_range_min=443, port_range_max=443),
    rule('rdp', port_range_min=3389, port_range_max=3389),
    rule('memcached-udp', protocol='udp', port_range_min=11211,
         port_range_max=11211),
    rule('loki', port_range_min=3100, port_range_max=3100),
]


def _run(check, settings=None, rules=RULES, groups=GROUPS, ports=()):
    return run(check, settings, security_groups=groups,
               security_group_rules=rules, ports=list(ports))


def test_any_from_world():
    found = _run('sg-ingress-any-from-world')
    assert ids(found) == ['any-noremote', 'any-v4', 'any-v6']
    assert all(f.severity == 'critical' for f in found)
    assert {f.resource_id: f for f in found}['any-v4'].remediation == (
        "openstack security group harden restrict any-v4 --project p "
        "--to '<management-cidr>' --dry-run")


def test_ssh_from_world():
    assert ids(_run('sg-ingress-ssh-from-world')) == [
        'all-tcp', 'any-noremote', 'any-v4', 'any-v6', 'range-20-25',
        'ssh', 'ssh-6', 'ssh-v6']


def test_sensitive_from_world_names_services():
    found = {f.resource_id: f for f in _run(
        'sg-ingress-sensitive-from-world')}
    assert sorted(found) == ['all-tcp', 'any-noremote', 'any-v4', 'any-v6',
                             'memcached-udp', 'range-20-25', 'rdp']
    assert found['range-20-25'].detail.endswith(
        'tcp ports 20-25 from 0.0.0.0/0: ftp, telnet, smtp')
    assert found['any-v4'].detail.endswith(
        ': qotd, chargen, ftp, telnet, smtp and %d more sensitive services'
        % (len(DEFAULT_SENSITIVE_PORTS) - 5))
    assert found['rdp'].detail.endswith(': rdp')
    assert found['memcached-udp'].detail.endswith(': memcached')


def test_sensitive_ports_configurable():
    settings = Settings(sensitive_ports=(('loki', 'tcp', 3100, 3100),))
    assert ids(_run('sg-ingress-sensitive-from-world', settings)) == [
        'all-tcp', 'any-noremote', 'any-v4', 'any-v6', 'loki']


SAME = dict(protocol=None, remote_ip_prefix=None, remote_group_id='def',
            security_group_id='def')
DEFAULT_RULES = [
    rule('same-v4', **SAME),
    rule('same-v6', **dict(SAME, ethertype='IPv6')),
    rule('same-tcp', **dict(SAME, protocol='tcp')),
    rule('same-port', **dict(SAME, protocol='tcp', port_range_min=80,
                             port_range_max=80)),
    rule('same-egress', **dict(SAME, direction='egress')),
    rule('other-remote', **dict(SAME, remote_group_id='web')),
    rule('web-self', **dict(SAME, security_group_id='web',
                            remote_group_id='web')),
    # another group's rule admitting the default group's members
    rule('web-from-def', **dict(SAME, security_group_id='web')),
    rule('q-same', **dict(SAME, security_group_id='def2',
                          remote_group_id='def2', project_id='q')),
]


def test_default_same_group_ingress_one_finding_per_group():
    found = {f.resource_id: f for f in _run(
        'sg-default-same-group-ingress', rules=DEFAULT_RULES)}
    assert sorted(found) == ['def', 'def2']
    assert {f.project_id for f in found.values()} == {'p', 'q'}
    assert found['def'].detail == (
        'members reach each other on any protocol (IPv4, IPv6)')
    assert found['def'].resource_type == 'security group'
    # the identities of the per-rule findings of earlier versions
    assert found['def'].aliases == (
        ('sg-default-same-group-ingress', 'same-v4', ''),
        ('sg-default-same-group-ingress', 'same-v6', ''))
    assert found['def2'].aliases == (
        ('sg-default-same-group-ingress', 'q-same', ''),)


def _cport(pid, sgs, owner='compute:nova'):
    return {'id': pid, 'security_groups': sgs, 'device_owner': owner,
            'project_id': 'p'}


def test_default_in_use_one_finding_per_group():
    ports = [_cport('a', ['def']), _cport('b', ['def', 'web']),
             _cport('c', ['web']), _cport('d', ['def'], owner='network:dhcp'),
             _cport('e', ['def2'])]
    found = {f.resource_id: f for f in _run('sg-default-in-use', ports=ports)}
    assert sorted(found) == ['def', 'def2']
    assert found['def'].detail == (
        '2 port(s) use it, 1 with no other group')
    assert found['def'].resource_type == 'security group'


@pytest.mark.parametrize('check', [
    'sg-ingress-any-from-world', 'sg-ingress-ssh-from-world',
    'sg-ingress-sensitive-from-world', 'sg-default-same-group-ingress',
    'sg-default-in-use'])
def test_empty(check):
    assert _run(check, rules=[], groups=[]) == []


@pytest.mark.parametrize('lo, hi, flagged', [
    (21, 21, True),       # only part of ftp's 20-21
    (20, 20, True),
    (19, 20, True),       # overlaps at one end
    (21, 22, True),
    (18, 19, False),      # just below
    (24, 24, False),      # between telnet (23) and nothing
    (2376, 2378, True),   # the end of docker's 2375-2376
    (2377, 2378, False),
])
def test_a_rule_covering_part_of_a_service_is_flagged(lo, hi, flagged):
    partial = rule('partial', port_range_min=lo, port_range_max=hi)
    found = _run('sg-ingress-sensitive-from-world', rules=[partial])
    assert bool(found) is flagged


def test_a_rule_finding_is_named_after_its_group():
    found = {f.resource_id: f for f in _run(
        'sg-ingress-ssh-from-world',
        groups=GROUPS + [{'id': 'g-1', 'name': 'frontend'}],
        rules=[rule('ssh', security_group_id='g-1', port_range_min=22,
                    port_range_max=22),
               rule('orphan', security_group_id='gone', port_range_min=22,
                    port_range_max=22)])}
    assert found['ssh'].resource_name == 'frontend rule'
    assert found['orphan'].resource_name == 'gone rule'
    assert found['ssh'].resource_type == 'security group rule'


def test_a_rule_finding_is_in_its_groups_project():
    """An admin's rule in a project's group is in the admin's project:
    the finding is the group's project's."""
    found = {f.resource_id: f for f in _run(
        'sg-ingress-ssh-from-world',
        groups=GROUPS + [{'id': 'g-1', 'name': 'frontend',
                          'project_id': 'demo'}],
        rules=[rule('ssh', security_group_id='g-1', project_id='admin',
                    port_range_min=22, port_range_max=22),
               rule('orphan', security_group_id='gone', project_id='x',
                    port_range_min=22, port_range_max=22)])}
    assert found['ssh'].project_id == 'demo'
    assert found['orphan'].project_id == 'x'


def test_rules_open_only_together_name_each_other():
    found = {f.resource_id: f for f in _run(
        'sg-ingress-any-from-world',
        rules=[rule('a', protocol=None, remote_ip_prefix='0.0.0.0/2'),
               rule('b', protocol=None, remote_ip_prefix='64.0.0.0/2'),
               rule('c', protocol=None, remote_ip_prefix='128.0.0.0/1')])}
    assert found['a'].detail == ('ingress IPv4 any protocol from 0.0.0.0/2; '
                                 'from anywhere together with rules b, c')
    found = {f.resource_id: f for f in _run(
        'sg-ingress-any-from-world',
        rules=[rule('a', protocol=None, remote_ip_prefix='0.0.0.0/1'),
               rule('b', protocol=None, remote_ip_prefix='128.0.0.0/1')])}
    assert found['a'].detail.endswith('together with rule b')


def test_a_same_group_rule_limited_to_ports_is_not_the_permissive_one():
    odd = [rule('min', **dict(SAME, port_range_min=1)),
           rule('max', **dict(SAME, port_range_max=65535)),
           rule('prefix', **dict(SAME, remote_ip_prefix='10.0.0.0/8'))]
    assert _run('sg-default-same-group-ingress', rules=odd) == []
    [found] = _run('sg-default-same-group-ingress',
                   rules=odd + [rule('same-v4', **SAME)])
    assert found.aliases == (('sg-default-same-group-ingress', 'same-v4',
                              ''),)


@pytest.mark.parametrize('count, text', [
    (6, 's0, s1, s2, s3, s4, s5'),
    (7, 's0, s1, s2, s3, s4 and 2 more sensitive services')])
def test_a_rule_letting_in_many_services_names_the_first_few(count, text):
    services = tuple(('s%d' % i, 'tcp', 1000 + i, 1000 + i)
                     for i in range(count))
    [hit] = run('sg-ingress-sensitive-from-world',
                Settings(sensitive_ports=services), security_groups=GROUPS,
                security_group_rules=[rule('wide', port_range_min=1000,
                                           port_range_max=1999)])
    assert hit.detail.endswith('tcp ports 1000-1999 from 0.0.0.0/0: ' + text)


@pytest.mark.parametrize('protocol', ['0', 'hopopt', 'ip', 'any', 'HOPOPT'])
def test_protocol_zero_by_any_name_is_any_protocol(protocol):
    """Neutron's table names protocol 0 'hopopt' and 'ip'; the audit
    counts 0 as every protocol, so every name of it is critical too."""
    found = _run('sg-ingress-any-from-world',
                 rules=[rule('zero', protocol=protocol)])
    assert ids(found) == ['zero']
    assert ids(_run('sg-ingress-ssh-from-world',
                    rules=[rule('zero', protocol=protocol)])) == ['zero']


@pytest.mark.parametrize('protocol, ssh', [('6', True), ('TCP', True),
                                           ('17', False), ('132', False)])
def test_protocols_by_number_or_name_are_the_same(protocol, ssh):
    found = _run('sg-ingress-ssh-from-world', rules=[
        rule('r', protocol=protocol, port_range_min=22, port_range_max=22)])
    assert bool(found) is ssh


def test_rules_open_only_together_are_named_a_few_at_a_time():
    """Sixteen /4s of IPv4 open SSH only together: each finding names
    four others and 'and N more'; the remediation restricts by check, in
    the group's project."""
    rules = [rule('r%02d' % i, port_range_min=22, port_range_max=22,
                  remote_ip_prefix='%d.0.0.0/4' % (16 * i))
             for i in range(16)]
    found = _run('sg-ingress-ssh-from-world', rules=rules)
    assert len(found) == 14         # 224/4 and 240/4 admit no public address
    for f in found:
        assert f.detail.endswith('and 9 more')
        assert f.remediation == (
            'openstack security group harden restrict --check '
            "sg-ingress-ssh-from-world --project p --to '<management-cidr>' "
            '--dry-run')


def test_a_few_rules_open_together_are_all_named():
    rules = [rule('a', port_range_min=22, port_range_max=22,
                  remote_ip_prefix='0.0.0.0/1'),
             rule('b', port_range_min=22, port_range_max=22,
                  remote_ip_prefix='128.0.0.0/1')]
    found = {f.resource_id: f
             for f in _run('sg-ingress-ssh-from-world', rules=rules)}
    assert found['a'].detail.endswith('together with rule b')
    assert found['a'].remediation == (
        "openstack security group harden restrict a b --project p --to "
        "'<management-cidr>' --dry-run")
