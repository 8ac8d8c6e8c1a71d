import pytest

from tests.unit.audit.checks.helpers import run

CHECK = 'sg-template-from-world'


def _template(tid, default=True, other=False, **kw):
    return dict({'id': tid, 'direction': 'ingress', 'ethertype': 'IPv4',
                 'protocol': 'tcp', 'port_range_min': 22,
                 'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0',
                 'remote_group_id': None, 'remote_address_group_id': None,
                 'description': '', 'used_in_default_sg': default,
                 'used_in_non_default_sg': other}, **kw)


def _run(*templates, **resources):
    return run(CHECK, default_security_group_rules=list(templates),
               **resources)


def test_ssh_from_anywhere_into_every_new_default_group():
    [found] = _run(_template('t1'))
    assert (found.resource_id, found.severity, found.resource_type) == (
        't1', 'high', 'default security group rule')
    assert found.detail == (
        "ingress IPv4 tcp port 22 from 0.0.0.0/0: every new project's "
        'default group gets it, open to anywhere for ssh')
    assert found.remediation == (
        'openstack security group harden template t1 --dry-run')


def test_any_protocol_into_every_new_group_is_critical():
    [found] = _run(_template('t2', other=True, ethertype='IPv6',
                             protocol=None, port_range_min=None,
                             port_range_max=None, remote_ip_prefix=None))
    assert found.severity == 'critical'
    assert found.detail == ('ingress IPv6 any protocol from anywhere (no '
                            'remote): every new security group gets it')


def test_an_address_group_holding_everything_is_anywhere():
    groups = [{'id': 'ag', 'name': 'all', 'project_id': 'admin',
               'addresses': ['0.0.0.0/1', '128.0.0.0/1']}]
    [found] = _run(_template('t3', remote_ip_prefix=None,
                             remote_address_group_id='ag',
                             port_range_min=3306, port_range_max=3306),
                   address_groups=groups)
    assert found.detail.endswith('open to anywhere for mysql')


@pytest.mark.parametrize('template', [
    _template('used-nowhere', default=False),
    _template('egress', direction='egress'),
    _template('parent', remote_ip_prefix=None, remote_group_id='PARENT',
              protocol=None, port_range_min=None, port_range_max=None),
    _template('bastion', remote_ip_prefix='192.0.2.0/24'),
    _template('https', port_range_min=443, port_range_max=443)])
def test_look_alikes_are_quiet(template):
    assert _run(template) == []
