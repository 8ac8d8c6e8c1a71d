import pytest

from xloudclient.audit import rules


def _rule(**kw):
    base = {'id': 'r', 'security_group_id': 'g', 'direction': 'ingress',
            'ethertype': 'IPv4', 'protocol': 'tcp', 'port_range_min': 22,
            'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0',
            'remote_group_id': None, 'remote_address_group_id': None}
    base.update(kw)
    return base


@pytest.mark.parametrize('protocol, lo, hi, lets_ssh', [
    ('tcp', 22, 22, True),
    ('6', 22, 22, True),
    ('TCP', 22, 22, True),
    (None, None, None, True),       # any protocol
    ('any', None, None, True),
    ('0', None, None, True),
    ('tcp', None, None, True),      # no range = all ports
    ('tcp', 1, 65535, True),
    ('tcp', 20, 25, True),
    ('tcp', 23, 25, False),
    ('tcp', 1, 21, False),
    ('udp', 22, 22, False),
    ('17', None, None, False),
    ('icmp', None, None, False),
    ('tcp', 22, None, True),        # open-ended
])
def test_lets_in_ssh(protocol, lo, hi, lets_ssh):
    rule = _rule(protocol=protocol, port_range_min=lo, port_range_max=hi)
    assert rules.lets_in(rule, 'tcp', 22, 22) is lets_ssh


def test_egress_never_lets_in():
    assert not rules.lets_in(_rule(direction='egress'), 'tcp', 22, 22)


@pytest.mark.parametrize('protocol, expected', [
    ('udp', True), ('tcp', True), ('icmp', False), (None, True)])
def test_both_protocols(protocol, expected):
    rule = _rule(protocol=protocol, port_range_min=11211,
                 port_range_max=11211)
    assert rules.lets_in(rule, 'both', 11211, 11211) is expected


def test_describe():
    assert rules.describe(_rule(port_range_min=20, port_range_max=25)) == (
        'ingress IPv4 tcp ports 20-25 from 0.0.0.0/0')
    assert rules.describe(_rule(protocol=None, port_range_min=None,
                                port_range_max=None, remote_ip_prefix=None,
                                remote_group_id='g')) == (
        'ingress IPv4 any protocol from its own group')
    assert rules.describe(_rule(remote_ip_prefix=None)) == (
        'ingress IPv4 tcp port 22 from anywhere (no remote)')


@pytest.mark.parametrize('address, expected', [
    ('10.0.0.5', (32, 32)), ('10.0.0.0/24', (24, 32)),
    ('0.0.0.0/0', (0, 32)), ('2001:db8::/64', (64, 128)),
    ('2001:db8::1', (128, 128)), ('::/0', (0, 128)),
    ('10.0.0.5/16', (16, 32))])
def test_host_prefix_len(address, expected):
    assert rules.host_prefix_len(address) == expected


# --- every wording of describe(), and port ranges at their edges ----------

@pytest.mark.parametrize('rule, text', [
    ({'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
      'port_range_min': 1, 'port_range_max': 65535,
      'remote_ip_prefix': '0.0.0.0/0'},
     'ingress IPv4 tcp all ports from 0.0.0.0/0'),
    ({'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
      'port_range_min': 2, 'port_range_max': 65535,
      'remote_ip_prefix': '0.0.0.0/0'},
     'ingress IPv4 tcp ports 2-65535 from 0.0.0.0/0'),
    ({'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
      'port_range_min': 1, 'port_range_max': 65534, 'security_group_id': 'g',
      'remote_group_id': 'g'},
     'ingress IPv4 tcp ports 1-65534 from its own group'),
    ({'direction': 'ingress', 'ethertype': 'IPv6', 'protocol': None,
      'security_group_id': 'g', 'remote_group_id': 'h'},
     'ingress IPv6 any protocol from remote group h'),
    ({'direction': 'ingress', 'ethertype': 'IPv6', 'protocol': 'udp',
      'port_range_min': 53, 'port_range_max': 53,
      'remote_address_group_id': 'ag'},
     'ingress IPv6 udp port 53 from address group ag'),
    ({'protocol': 'tcp', 'port_range_min': 22},
     '? ? tcp ports 22-65535 from anywhere (no remote)'),
    ({'protocol': 'tcp', 'port_range_max': 22},
     '? ? tcp ports 1-22 from anywhere (no remote)'),
])
def test_describe_every_wording(rule, text):
    assert rules.describe(rule) == text


def test_what_a_rule_admits_reads_each_rule_as_it_is():
    # worked out once per distinct fields, each read with its type and
    # whether it is there at all
    assert rules.admits({'protocol': 1, 'ethertype': 'IPv4'}) == \
        'IPv4 1 all ports'
    assert rules.admits({'protocol': True, 'ethertype': 'IPv4'}) == \
        'IPv4 True all ports'
    assert rules.admits({'protocol': 'tcp', 'port_range_min': 22,
                         'port_range_max': 22}) == '? tcp port 22'
    assert rules.admits({'protocol': 'tcp', 'ethertype': None,
                         'port_range_min': 22,
                         'port_range_max': 22}) == 'tcp port 22'
    assert rules.admits({'protocol': ['tcp'], 'ethertype': 'IPv6'}) == \
        "IPv6 ['tcp'] all ports"
