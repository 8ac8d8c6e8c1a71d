"""The small steps of a restrict plan, each pinned: a source's text per
IP version, the refusal naming --to, the replacements' project, a group
the inventory lacks, the order of groups, accepted rules by rule ID, an
address group shared by another policy, the scope of the read."""

import pytest

from tests.unit.harden import restrict_cases as base
from xloudclient.harden import restrict
from xloudclient import harden


def test_a_sources_text_of_one_ip_version():
    assert base.BOTH.text(4) == '10.0.0.0/8'
    assert base.BOTH.text(6) == 'fd00::/8'
    assert base.BOTH.text() == '10.0.0.0/8, fd00::/8'


def test_a_world_wide_to_is_named_in_the_refusal():
    with pytest.raises(harden.Refused, match='^--to 10.0.0.0/8 '
                       '0.0.0.0/0 '):
        restrict.prefix_sources(['10.0.0.0/8', '0.0.0.0/0'])


def test_a_replacement_keeps_its_rules_project_or_takes_its_groups():
    group = {'id': 'g1', 'project_id': 'pa'}
    rule = base._rule('r', project_id='admin-project')
    [body] = restrict.replacement_bodies(rule, group, base.V4)
    assert body['project_id'] == 'admin-project'
    [body] = restrict.replacement_bodies(dict(rule, project_id=None), group,
                                         base.V4)
    assert body['project_id'] == 'pa'


def test_a_rule_whose_group_is_not_in_the_inventory_plans_in_its_project():
    rules = [base._rule('ssh4', group='g9', project_id='pz')]
    p = restrict.plan(base._inv(rules=rules), base.SETTINGS, [base.SSH],
                      base.V4)
    [g] = p.groups
    assert g.group == {'id': 'g9', 'project_id': 'pz'}
    assert [r.group_project for r in p.replacements] == ['pz']


def test_groups_of_a_project_come_by_name_then_id():
    groups = [{'id': 'g-a', 'name': 'zeta', 'project_id': 'pa', 'tags': []},
              {'id': 'g-b', 'name': 'alpha', 'project_id': 'pa', 'tags': []},
              {'id': 'g-c', 'name': 'alpha', 'project_id': 'pa',
               'tags': []}]
    rules = [base._rule('r-' + g['id'], group=g['id']) for g in groups]
    p = restrict.plan(base._inv(rules=rules, groups=groups), base.SETTINGS,
                      [base.SSH], base.V4)
    assert [g.group['id'] for g in p.groups] == ['g-b', 'g-c', 'g-a']


def test_accepted_rules_are_said_only_for_the_rule_ids_named():
    inv = base._accepted_inventory()
    _, kept = restrict.select(inv, base.SETTINGS, [base.SSH], ['ssh6'])
    assert kept == []
    _, kept = restrict.select(inv, base.SETTINGS, [base.SSH], ['ssh4'])
    assert [r['id'] for r, _ in kept] == ['ssh4']


def test_a_policy_sharing_another_address_group_shares_nothing():
    ag = {'id': 'ag1', 'name': 'bastions', 'project_id': 'pa',
          'addresses': ['10.1.0.0/16']}
    inv = base._inv(rbac_policies=[
        {'object_type': 'address_group', 'object_id': 'ag-other',
         'target_tenant': '*', 'action': 'access_as_shared'},
        {'object_type': 'network', 'object_id': 'ag1',
         'target_tenant': '*', 'action': 'access_as_shared'}])
    with pytest.raises(harden.Refused, match='not shared with '
                       'project pb'):
        restrict.plan(inv, base.SETTINGS, [base.SENSITIVE],
                      restrict.address_group_sources(ag))


def test_reading_some_projects_reads_only_theirs():
    cloud = base._cloud()
    cloud.data['security-groups'].append(
        {'id': 'g3', 'name': 'other', 'project_id': 'pc', 'tags': []})
    two = restrict.read_inventory(cloud, ['pa', 'pb'], None)
    assert {g['id'] for g in two.security_groups} == {'g1', 'g2'}


def test_a_refused_create_in_full(tmp_path):
    cloud = base._cloud()
    p = base._plan_of(cloud, [base.SSH])
    cloud.deny.add(('POST', '/security-group-rules'))
    rows, _ = restrict.apply(cloud, p, str(tmp_path / 'b.json'), base.NOW)
    assert {r.action for r in rows} == {
        'failed: creating the restricted rule: denied; the rule is kept'}


@pytest.mark.parametrize('count, more', [(2, ''), (3, '; ...')])
def test_failures_says_more_only_past_two(count, more):
    rows = [restrict.row_maker(base._rule('r%d' % i), [])('failed: x', True)
            for i in range(count)]
    line = restrict.failures(rows, ['openstack', 'y'])
    assert line.startswith('%d of %d rules failed to restrict (r0: failed: '
                           'x; r1: failed: x%s); ' % (count, count, more))
