"""value-unreadable: what the other checks cannot read is reported."""

from tests.unit.audit.checks.helpers import GROUPS
from tests.unit.audit.checks.helpers import ids
from tests.unit.audit.checks.helpers import rule
from tests.unit.audit.checks.helpers import run


def _port(pid, *addresses):
    return {'id': pid, 'name': pid, 'project_id': 'p',
            'allowed_address_pairs': [{'ip_address': a} for a in addresses]}


def test_each_unreadable_value_is_one_finding_named_by_its_field():
    found = run('value-unreadable', security_groups=GROUPS,
                ports=[_port('odd', '10.0.0.5', '10/8x', 'fd00::/+8'),
                       _port('fine', 'FD00::/ffff::', '10.0.0.1/8')],
                security_group_rules=[
                    rule('r-proto', protocol='tcp6'),
                    rule('r-prefix', remote_ip_prefix='0.0.0.0/0/0'),
                    rule('r-fine', protocol='hopopt')],
                address_groups=[{'id': 'ag', 'name': 'ag', 'project_id': 'p',
                                 'addresses': ['10.0.0.0/8', 'junk']}])
    assert ids(found) == ['ag', 'odd', 'r-prefix', 'r-proto']
    by_id = {f.resource_id: f for f in found}
    assert by_id['odd'].key == '10/8x'
    assert by_id['odd'].detail.startswith('allowed_address_pairs '
                                          "ip_address: '10/8x'")
    assert by_id['odd'].remediation == (
        'openstack port unset --allowed-address ip-address=10/8x odd')
    assert by_id['r-proto'].key == 'protocol=tcp6'
    assert by_id['r-proto'].resource_name == 'web rule'
    assert by_id['r-prefix'].remediation == (
        'openstack security group rule delete r-prefix')
    assert by_id['ag'].remediation == (
        'openstack address group unset --address junk ag')
    assert {f.severity for f in found} == {'high'}


def test_readable_values_give_nothing():
    assert run('value-unreadable', security_groups=GROUPS,
               ports=[_port('fine', '0.0.0.0/0', '::ffff:10.0.0.1')],
               security_group_rules=[rule('r', protocol=None),
                                     rule('s', protocol='58')]) == []


def test_each_rule_is_judged_whatever_rules_came_before():
    # judged once per distinct value and type: 1 and True are equal keys
    # in Python, not equal protocols; a list is no key at all
    found = run('value-unreadable', security_groups=GROUPS,
                security_group_rules=[
                    rule('one', protocol=1), rule('true', protocol=True),
                    rule('again', protocol=1), rule('bad', protocol='x'),
                    rule('bad-too', protocol='x'),
                    rule('listed', protocol=['tcp']),
                    rule('listed-too', protocol=['tcp'])])
    assert ids(found) == ['bad', 'bad-too', 'listed', 'listed-too', 'true']
