import pytest

from tests.unit.audit.checks.helpers import run
from xloudclient.audit.settings import Settings

CHECK = 'quota-unlimited'
FINITE = {'network': 100, 'subnet': 100, 'subnetpool': -1, 'port': 500,
          'router': 10, 'floatingip': 50, 'rbac_policy': 10,
          'security_group': 10, 'security_group_rule': 100, 'trunk': -1}


def _row(project, **kw):
    return dict(FINITE, project_id=project, **kw)


def _run(quotas, defaults=FINITE, ceilings=None):
    return run(CHECK, Settings(quota_ceilings=dict(ceilings or {})),
               quotas=list(quotas), quota_defaults=[dict(defaults)])


def test_a_project_with_unlimited_quotas_of_its_own():
    [found] = _run([_row('p1', port=-1, floatingip=-1), _row('p2')])
    assert (found.resource_type, found.resource_id, found.project_id) == (
        'project', 'p1', 'p1')
    assert found.detail == ('quotas of its own: ports unlimited, floating '
                            'IPs unlimited')
    # to the defaults, which are limits here
    assert found.remediation == (
        'openstack quota set --ports 500 --floating-ips 50 p1')


def test_above_a_ceiling_of_the_settings_file():
    found = _run([_row('p1', port=2000)], ceilings={'port': 1000})
    assert [f.detail for f in found] == [
        'quotas of its own: ports 2000 (ceiling 1000)']
    assert found[0].remediation == 'openstack quota set --ports 1000 p1'
    # at the ceiling: quiet; unlimited subnets and trunks: not audited
    assert _run([_row('p1', port=1000)], ceilings={'port': 1000}) == []


def test_unlimited_defaults_are_every_other_projects():
    defaults = dict(FINITE, security_group_rule=-1)
    [found] = _run([_row('p1')], defaults)
    assert (found.resource_type, found.resource_id) == (
        'quota defaults', 'default')
    assert found.detail == (
        'the defaults, of every project without quotas of its own (1 have '
        'their own): security group rules unlimited; set in neutron.conf '
        '[quotas] (quota_security_group_rule)')
    assert found.remediation == 'openstack quota show --default --network'
    # a project of its own, unlimited where the default is too: a
    # placeholder for the admin to choose
    [own, _] = _run([_row('p1', security_group_rule=-1)], defaults)
    assert own.remediation == (
        "openstack quota set --secgroup-rules '<limit>' p1")


@pytest.mark.parametrize('row', [
    _row('p1'), _row('p1', subnet=-1, trunk=-1),   # not audited ones
    _row('p1', port='-1'), _row('p1', port=None)])  # not numbers
def test_look_alikes_are_quiet(row):
    assert _run([row]) == []
