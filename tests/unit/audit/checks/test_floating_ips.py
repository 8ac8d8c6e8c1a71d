from tests.unit.audit.checks.helpers import GROUPS
from tests.unit.audit.checks.helpers import ids
from tests.unit.audit.checks.helpers import rule
from tests.unit.audit.checks.helpers import run


def _fip(fid, port_id, status='DOWN'):
    return {'id': fid, 'floating_ip_address': '172.24.4.%d' % len(fid),
            'port_id': port_id, 'status': status, 'project_id': 'p'}


FIPS = [_fip('free', None), _fip('free-active', None, 'ACTIVE'),
        _fip('ssh', 'p-ssh'), _fip('safe', 'p-safe'), _fip('v6', 'p-v6'),
        _fip('off', 'p-off'), _fip('gone', 'p-missing')]


def test_unassociated_by_port_not_status():
    assert ids(run('fip-unassociated', floatingips=FIPS)) == [
        'free', 'free-active']


def _port(pid, sgs, enabled=True, project='p'):
    return {'id': pid, 'security_groups': sgs, 'project_id': project,
            'port_security_enabled': enabled}


PORTS = [_port('p-ssh', ['web']), _port('p-safe', ['def']),
         _port('p-v6', ['v6only']), _port('p-off', [], enabled=False)]
RULES = [rule('ssh', port_range_min=22, port_range_max=22),
         rule('https', security_group_id='def', port_range_min=443,
              port_range_max=443),
         rule('ssh-bastion', security_group_id='def', port_range_min=22,
              port_range_max=22, remote_ip_prefix='192.0.2.1/32'),
         rule('v6-ssh', security_group_id='v6only', ethertype='IPv6',
              remote_ip_prefix='::/0', port_range_min=22,
              port_range_max=22)]


def test_exposes_sensitive_port():
    found = {f.resource_id: f for f in run(
        'fip-exposes-sensitive-port', floatingips=FIPS, ports=PORTS,
        security_groups=GROUPS, security_group_rules=RULES)}
    assert sorted(found) == ['off', 'ssh']
    assert 'ssh' in found['ssh'].detail and 'p-ssh' in found['ssh'].detail
    assert found['ssh'].remediation == (
        'openstack security group rule delete ssh')
    assert 'port security is off' in found['off'].detail


def test_a_floating_ip_used_by_port_forwardings_is_not_unassociated():
    forwarded = dict(_fip('fwd', None), port_forwardings=[
        {'id': 'pf1', 'protocol': 'tcp', 'external_port': 2222,
         'internal_port': 22, 'internal_port_id': 'p-ssh'}])
    emptied = dict(_fip('emptied', None), port_forwardings=[])
    assert ids(run('fip-unassociated',
                   floatingips=[forwarded, emptied])) == ['emptied']


def test_a_shared_group_of_another_project_is_detached_not_edited():
    """The rule belongs to a group of project 'admin' shared with 'p':
    deleting it would change every project sharing the group."""
    groups = GROUPS + [{'id': 'shared', 'name': 'shared',
                        'project_id': 'admin'}]
    ports = [_port('p-ssh', ['web', 'shared'])]
    rules = [rule('own', port_range_min=22, port_range_max=22),
             rule('theirs', security_group_id='shared', project_id='admin',
                  port_range_min=3389, port_range_max=3389)]
    [found] = run('fip-exposes-sensitive-port', floatingips=FIPS,
                  ports=ports, security_groups=groups,
                  security_group_rules=rules)
    assert found.remediation == (
        'openstack port unset --security-group shared p-ssh')
    # ports of the same groups share what is worked out for the groups,
    # each remediation names its own port
    ports = [_port('p-ssh', ['web', 'shared']),
             _port('p-safe', ['web', 'shared'])]
    found = run('fip-exposes-sensitive-port', floatingips=FIPS,
                ports=ports, security_groups=groups,
                security_group_rules=rules)
    assert sorted(f.remediation for f in found) == [
        'openstack port unset --security-group shared p-safe',
        'openstack port unset --security-group shared p-ssh']


def test_many_rules_give_a_bounded_detail_and_remediation():
    """Ten /4s of IPv4 open SSH only together: the finding names a few
    rules and services, and restricts by check instead of by ID."""
    rules = [rule('r%d' % i, port_range_min=1, port_range_max=65535,
                  remote_ip_prefix='%d.0.0.0/4' % (16 * i))
             for i in range(16)]
    [found] = run('fip-exposes-sensitive-port', floatingips=FIPS,
                  ports=[_port('p-ssh', ['web'])], security_groups=GROUPS,
                  security_group_rules=rules)
    assert found.remediation == (
        'openstack security group harden restrict --check '
        'sg-ingress-ssh-from-world --check sg-ingress-sensitive-from-world '
        "--project p --to '<management-cidr>' --dry-run")
    assert found.detail.endswith('more services')
    assert len(found.detail) < 200
