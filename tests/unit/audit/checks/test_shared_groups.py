import pytest

from tests.unit.audit.checks.helpers import rule
from tests.unit.audit.checks.helpers import run

CHECK = 'sg-shared-all-projects-remote'
GROUPS = [{'id': 'ops', 'name': 'ops', 'project_id': 'admin'},
          {'id': 'db', 'name': 'db', 'project_id': 'p'},
          {'id': 'web', 'name': 'web', 'project_id': 'p'}]


def _policy(pid, group, target='*', action='access_as_shared',
            object_type='security_group'):
    return {'id': pid, 'object_type': object_type, 'object_id': group,
            'action': action, 'target_tenant': target,
            'project_id': 'admin'}


def _same(rid, group='ops', **kw):
    return rule(rid, security_group_id=group, remote_group_id=group,
                remote_ip_prefix=None, protocol=None, **kw)


def _run(rules, policies):
    return run(CHECK, security_groups=GROUPS, security_group_rules=rules,
               rbac_policies=policies)


def test_a_group_shared_to_all_named_by_a_rule_is_flagged():
    rules = [_same('own'),
             rule('db-from-ops', security_group_id='db',
                  remote_group_id='ops', remote_ip_prefix=None,
                  port_range_min=5432, port_range_max=5432),
             rule('world', security_group_id='ops')]
    [found] = _run(rules, [_policy('rb1', 'ops')])
    assert (found.resource_id, found.severity) == ('ops', 'high')
    assert found.detail == (
        "shared with every project (RBAC policy rb1): any project's port "
        'can join it and is let in by 1 same-group rule(s) and rules of '
        'group(s) db (db-from-ops, own)')
    assert found.remediation == 'openstack network rbac delete rb1'
    assert found.basis == ('rules', 'db-from-ops', 'own', 'policies', 'rb1')


@pytest.mark.parametrize('policy', [
    _policy('rb1', 'ops', target='p'),                     # one project
    _policy('rb1', 'ops', action='access_as_external'),
    _policy('rb1', 'ops', object_type='network'),          # not a group
    _policy('rb1', 'web')])                                # another group
def test_look_alikes_are_quiet(policy):
    assert _run([_same('own')], [policy]) == []


def test_a_shared_group_no_rule_names_is_quiet():
    rules = [rule('world', security_group_id='ops'),
             # egress naming it admits nothing in
             _same('out', direction='egress')]
    assert _run(rules, [_policy('rb1', 'ops')]) == []


def test_a_group_not_read_is_still_named_by_its_id():
    [found] = run(CHECK, security_groups=[], security_group_rules=[
        _same('own', group='gone')], rbac_policies=[_policy('rb', 'gone')])
    assert found.resource_id == 'gone'
