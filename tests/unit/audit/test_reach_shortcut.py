"""The shortcut for groups no union can open (reach.simple) gives what the
unions give: every check over random groups, with and without it."""

import random

import pytest

from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory
from xloudclient.audit import reach
from xloudclient.audit.settings import Settings

PREFIXES = ('0.0.0.0/0', '0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/8', None,
            '8.8.8.0/24', '::/0', '2000::/4', '3000::/4', 'fd00::/8')
CHECKS = ('sg-ingress-any-from-world', 'sg-ingress-ssh-from-world',
          'sg-ingress-sensitive-from-world', 'fip-exposes-sensitive-port',
          'port-exposes-sensitive-port')


def _estate(seed):
    rng = random.Random(seed)
    groups = [{'id': 'g%d' % i, 'name': 'g%d' % i, 'project_id': 'p'}
              for i in range(12)]
    rules = []
    for i in range(80):
        prefix = rng.choice(PREFIXES)
        any_proto = rng.random() < 0.15
        port = rng.choice((22, 3306, 53, 3389, 443))
        rules.append({
            'id': 'r%03d' % i, 'security_group_id': rng.choice(groups)['id'],
            'direction': 'ingress', 'project_id': 'p',
            'ethertype': 'IPv6' if prefix and ':' in prefix else 'IPv4',
            'protocol': None if any_proto else rng.choice(('tcp', 'udp')),
            'port_range_min': None if any_proto else port,
            'port_range_max': None if any_proto else port,
            'remote_ip_prefix': prefix})
    ports = [{'id': 'vm%d' % i, 'name': 'vm%d' % i, 'project_id': 'p',
              'network_id': 'ext', 'device_owner': 'compute:nova',
              'port_security_enabled': True,
              'security_groups': rng.sample([g['id'] for g in groups],
                                            rng.randint(1, 3)),
              'fixed_ips': [{'subnet_id': 's', 'ip_address': '172.24.4.%d'
                             % (i + 2)},
                            {'subnet_id': 's6', 'ip_address': '2001:db8::%d'
                             % (i + 2)}]}
             for i in range(10)]
    fips = [{'id': 'f%d' % i, 'floating_ip_address': '198.51.100.%d' % i,
             'port_id': 'vm%d' % i, 'fixed_ip_address': '172.24.4.%d'
             % (i + 2), 'project_id': 'p'} for i in range(5)]
    return dict(
        security_groups=groups, security_group_rules=rules, ports=ports,
        floatingips=fips,
        networks=[{'id': 'ext', 'name': 'public', 'router:external': True}],
        subnets=[{'id': 's', 'network_id': 'ext', 'cidr': '172.24.4.0/24',
                  'ip_version': 4},
                 {'id': 's6', 'network_id': 'ext', 'cidr': '2001:db8::/64',
                  'ip_version': 6}])


def _findings(data):
    inv = Inventory(**data)
    found = []
    for chk in catalog.select(CHECKS):
        found += [(f.check, f.resource_id, f.key, f.detail, f.remediation,
                   f.basis) for f in chk.run(inv, Settings())]
    return sorted(found)


@pytest.mark.parametrize('seed', range(40))
def test_the_shortcut_changes_no_finding(seed, monkeypatch):
    data = _estate(seed)
    fast = _findings(data)
    monkeypatch.setattr(reach, 'simple', lambda entries: False)
    assert fast == _findings(data)


def test_the_random_groups_hold_unions_and_shortcuts():
    # the test above is worth something only if both ways are taken
    taken = set()
    for seed in range(40):
        inv = Inventory(**_estate(seed))
        taken |= {reach.simple(e) for e in reach.public_rules(inv).values()}
    assert taken == {True, False}
