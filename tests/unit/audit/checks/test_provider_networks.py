import pytest

from tests.unit.audit.checks.helpers import run

CHECK = 'network-provider-projects'


def _net(nid='n', kind='vlan', **kw):
    return dict({'id': nid, 'name': nid, 'project_id': 'admin',
                 'provider:network_type': kind,
                 'provider:physical_network': 'physnet1',
                 'provider:segmentation_id': 150, 'shared': False,
                 'port_security_enabled': True}, **kw)


def _rbac(pid, target, obj='n', action='access_as_shared'):
    return {'id': pid, 'object_type': 'network', 'object_id': obj,
            'action': action, 'target_tenant': target,
            'project_id': 'admin'}


def _run(networks, policies=()):
    return run(CHECK, networks=networks, rbac_policies=list(policies))


def test_shared_with_every_project_is_medium():
    [found] = _run([_net(shared=True)])
    assert (found.severity, found.resource_id) == ('medium', 'n')
    assert found.detail == (
        'provider network (vlan physnet1 segment 150) every project can '
        'put ports on: they sit on the physical network, no router between')
    assert found.remediation == 'openstack network set --no-share n'
    [found] = _run([_net(shared=True)], [_rbac('rb', '*')])
    assert found.remediation == 'openstack network rbac delete rb'


def test_given_to_some_projects_is_info_to_confirm():
    [found] = _run([_net(kind='flat', **{'provider:segmentation_id': None})],
                   [_rbac('rb2', 'q'), _rbac('rb1', 'p')])
    assert found.severity == 'info'
    assert found.detail.startswith(
        'provider network (flat physnet1) project(s) p, q can put ports')
    assert found.remediation == 'openstack network rbac delete rb1 rb2'
    # a policy to its own project gives nothing: not named, not deleted
    [found] = _run([_net()], [_rbac('rb1', 'p'), _rbac('rb0', 'admin')])
    assert found.detail.startswith('provider network (vlan physnet1 '
                                   'segment 150) project(s) p can put')
    assert found.remediation == 'openstack network rbac delete rb1'


def test_port_security_off_on_it_is_high():
    [found] = _run([_net(port_security_enabled=False)], [_rbac('rb', 'p')])
    assert found.severity == 'high'
    assert found.detail.endswith('; port security is off on it')
    assert found.remediation == (
        'openstack network set --enable-port-security n')


@pytest.mark.parametrize('network, policies', [
    (_net(), ()),                                    # the admin's only
    (_net(kind='geneve', shared=True), ()),          # an overlay
    (_net(kind=None, shared=True), ()),              # not read: a member
    (_net(), [_rbac('rb', '*', action='access_as_external')]),
    (_net(), [_rbac('rb', '*', obj='other')]),
    (_net(), [_rbac('rb', 'admin')])])               # to its own project
def test_look_alikes_are_quiet(network, policies):
    assert _run([network], policies) == []


def test_port_security_off_names_the_physical_network():
    [found] = run('network-port-security-disabled', networks=[
        _net(port_security_enabled=False)])
    assert found.detail.endswith(
        '; a vlan provider network: they sit unfiltered on the physical '
        'network')
