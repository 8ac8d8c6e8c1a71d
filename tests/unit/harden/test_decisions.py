"""Accepting findings: the pure parts (which finding, where the decision
lives, which findings it hides) and the writes, over in-memory data."""

import datetime

import pytest

from tests.unit import endorse
from tests.unit.clouds import FakeResponse
from tests.unit.clouds import FakeNeutron
from tests.unit.clouds import FakeKeystone
from xloudclient.audit import accepted
from xloudclient.audit import catalog
from xloudclient.audit import inventory as inventory_mod
from xloudclient.cloud import neutron
from xloudclient.harden import decisions
from xloudclient import records as rec
from xloudclient import harden
from tests.unit.harden.decision_cases import NOW
from tests.unit.harden.decision_cases import RULE
from tests.unit.harden.decision_cases import SSH
from tests.unit.harden.decision_cases import TODAY
from tests.unit.harden.decision_cases import _audit
from tests.unit.harden.decision_cases import _cloud
from tests.unit.harden.decision_cases import _decision
from tests.unit.harden.decision_cases import _endorse_all
from tests.unit.harden.decision_cases import _fetch
from tests.unit.harden.decision_cases import _unwrite
from tests.unit.harden.decision_cases import _write


def test_a_rule_decision_on_its_group_hides_that_rule_only():
    result = _audit(_cloud(group_tags=[_decision(SSH, RULE)]))
    assert [(f.check, f.resource_id) for f, _ in result.accepted] == [
        (SSH, RULE)]
    assert (SSH, 'r2') in [(f.check, f.resource_id)
                           for f in result.findings]
    assert RULE not in [f.resource_id for f in result.findings]


def test_a_decision_of_another_check_or_item_hides_nothing():
    result = _audit(_cloud(group_tags=[
        _decision('sg-ingress-sensitive-from-world', RULE),
        _decision(SSH, 'r2')]))                 # r2 is not in this group
    assert result.accepted == []


def test_an_overdue_decision_shows_its_finding_and_points_at_itself():
    tag = _decision('router-external-gateway', '',
                    review=datetime.date(2026, 11, 1), reason='edge')
    result = _audit(_cloud(router_tags=[tag]))
    checks = {(f.check, f.resource_id): f for f in result.findings}
    assert ('router-external-gateway', 'r-edge') in checks
    overdue = checks[('accepted-review-overdue', 'r-edge')]
    assert overdue.detail == ('router-external-gateway accepted until '
                              '2026-11-01 (27 days ago): edge')
    assert overdue.remediation == (
        'openstack network harden accept router-external-gateway r-edge '
        '--renew --reason edge --review-in 90')
    assert result.accepted == []


def test_an_overdue_rule_decision_names_the_rule_to_renew():
    tag = _decision(SSH, RULE, review=datetime.date(2026, 11, 1))
    result = _audit(_cloud(group_tags=[tag]))
    [overdue] = [f for f in result.findings
                 if f.check == 'accepted-review-overdue']
    assert overdue.resource_id == 'bastion'
    assert ' %s %s --renew' % (SSH, RULE) in overdue.remediation


def test_an_unreadable_decision_is_a_finding_never_trusted():
    result = _audit(_cloud(group_tags=['xloud-acc:v1 check=%s junk' % SSH]))
    [bad] = [f for f in result.findings
             if f.check == 'accepted-record-invalid']
    assert bad.resource_id == 'bastion'
    assert bad.remediation.startswith(
        "openstack security group unset --tag 'xloud-acc:v1 check=")
    assert RULE in [f.resource_id for f in result.findings]


def test_find_the_one_finding_by_id_or_name():
    findings = _audit(_cloud()).findings
    assert decisions.find(findings, 'router-external-gateway',
                          'edge').resource_id == 'r-edge'
    with pytest.raises(harden.Refused, match='reports nothing on'):
        decisions.find(findings, SSH, 'r-edge')
    with pytest.raises(harden.Refused, match='reports nothing on'):
        decisions.find(findings, 'router-external-gateway', 'edge',
                       key='other')


def test_several_findings_on_one_resource_need_a_key():
    from xloudclient.audit.finding import Finding
    two = [Finding('medium', 'aap-wide-prefix', 'port', 'p1', 'vm', 'p',
                   'd', 'r', key=k) for k in ('10.0.0.0/16', '10.1.0.0/16')]
    with pytest.raises(harden.Refused, match='give --key'):
        decisions.find(two, 'aap-wide-prefix', 'vm')
    assert decisions.find(two, 'aap-wide-prefix', 'vm',
                          key='10.1.0.0/16') is two[1]


@pytest.mark.parametrize('check, message', [
    ('no-such-check', 'no check'),
    ('accepted-review-overdue', 'about decisions themselves'),
    ('cloud-unfiltered', 'about the whole cloud, which holds no decision')])
def test_checks_that_cannot_be_accepted(check, message):
    with pytest.raises(harden.Refused, match=message):
        decisions.check_acceptable(check, [c.id for c in catalog.all_checks()])


def test_accept_writes_one_tag_and_renew_replaces_the_older():
    cloud = _cloud()
    result = _audit(cloud)
    [finding] = [f for f in result.findings if f.resource_id == RULE]
    tgt = decisions.target(finding, result.inventory)
    assert (tgt.holder_type, tgt.holder['id'], tgt.item) == (
        'security_groups', 'bastion', RULE)
    action, tag = _write(cloud, tgt, 'bastion', datetime.date(
        2027, 1, 1), 'admin', now=NOW)
    assert action == 'accepted'
    assert cloud.data['security-groups'][0]['tags'] == [tag]
    again = decisions.target(finding, _fetch(
        cloud, tuple(accepted.TAGGABLE) + ('security_group_rules',)))
    with pytest.raises(harden.Refused, match='already accepted until '
                       '2027-01-01 by admin'):
        _write(cloud, again, 'x', datetime.date(2027, 1, 1), 'b')
    action, new = _write(cloud, again, 'renewed', datetime.date(
        2027, 2, 1), 'b', renew=True, now=NOW)
    assert action == 'renewed'
    assert cloud.data['security-groups'][0]['tags'] == [new]
    assert rec.parse_decision(new).granted > rec.parse_decision(tag).granted
    # the endorsement names who granted the renewal, not the first grant
    project = cloud.data['security-groups'][0]['project_id']
    endorsed = rec.endorsements_in(cloud.keystone.tags(project))
    assert [e.by for es in endorsed.values() for e in es] == ['b']


def test_dry_run_writes_nothing():
    cloud = _cloud()
    result = _audit(cloud)
    [finding] = [f for f in result.findings if f.resource_id == RULE]
    action, _ = _write(cloud, decisions.target(finding,
                       result.inventory),
                       'x', datetime.date(2027, 1, 1), 'a',
                       dry_run=True)
    assert action == 'would be accepted'
    assert [m for m, _ in cloud.log if m != 'GET'] == []


def test_a_failed_write_changes_nothing_and_says_so():
    cloud = _cloud()
    cloud.deny.add(('PUT', '/security-groups/bastion/tags'))
    result = _audit(cloud)
    [finding] = [f for f in result.findings if f.resource_id == RULE]
    with pytest.raises(harden.Refused, match='nothing was changed'):
        _write(cloud, decisions.target(finding, result.inventory), 'x',
               datetime.date(2027, 1, 1), 'a')
    assert cloud.data['security-groups'][0]['tags'] == []


def test_concurrent_decisions_on_one_resource_both_stay():
    cloud = _cloud()
    result = _audit(cloud)
    findings = {f.check: f for f in result.findings
                if f.resource_id in (RULE, 'r-edge')}
    # both read before either writes
    targets = [decisions.target(findings[c], result.inventory)
               for c in (SSH, 'router-external-gateway')]
    cloud.data['routers'][0]['tags'] = []
    for tgt in targets:
        _write(cloud, tgt, 'x', datetime.date(2027, 1, 1), 'a')
    result = _audit(cloud)
    assert sorted(f.check for f, _ in result.accepted) == [
        'router-external-gateway', SSH]


def test_list_statuses_accepted_overdue_stale():
    cloud = _cloud(group_tags=[
        _decision(SSH, RULE), _decision(SSH, 'gone-rule'),
        _decision('sg-default-in-use', '', review=datetime.date(2026, 1,
                                                                1))])
    result = _audit(cloud)
    rows = decisions.list_decisions(
        result.inventory, result.findings + [f for f, _ in result.accepted],
        TODAY)
    assert sorted((r.decision.check, r.decision.item, r.status)
                  for r in rows) == [
        ('sg-default-in-use', '', 'overdue'),
        (SSH, RULE, 'accepted'), (SSH, 'gone-rule', 'stale')]
    assert [r.status for r in decisions.list_decisions(
        result.inventory, [], TODAY, overdue_only=True)] == ['overdue']


def test_revoke_finds_a_rule_decision_by_the_rule_id():
    cloud = _cloud(group_tags=[_decision(SSH, RULE), 'keep-me'])
    inv = _fetch(cloud, tuple(accepted.TAGGABLE))
    rtype, holder, found = decisions.find_decisions(inv, SSH, RULE)
    assert holder['id'] == 'bastion' and len(found) == 1
    assert _unwrite(cloud, rtype, holder, found) == 'revoked'
    assert cloud.data['security-groups'][0]['tags'] == ['keep-me']
    with pytest.raises(harden.Refused, match='no accepted'):
        decisions.find_decisions(inv, 'router-external-gateway', 'edge')


def test_an_overdue_decision_names_its_resource_as_the_audit_does():
    cloud = _cloud(router_tags=[_decision(
        'router-external-gateway', '', review=datetime.date(2026, 11, 1))])
    cloud.data['floatingips'].append({
        'id': 'fip', 'floating_ip_address': '203.0.113.9', 'project_id': 'p',
        'port_id': None, 'tags': [_decision(
            'fip-unassociated', '', review=datetime.date(2026, 11, 2))]})
    _endorse_all(cloud)
    found = {f.resource_id: f for f in _audit(cloud).findings
             if f.check == 'accepted-review-overdue'}
    assert (found['r-edge'].resource_type,
            found['r-edge'].resource_name) == ('router', 'edge')
    assert (found['fip'].resource_type,
            found['fip'].resource_name) == ('floating ip', '203.0.113.9')


def test_one_name_on_two_resources_needs_an_id():
    from xloudclient.audit.finding import Finding
    two = [Finding('medium', 'router-external-gateway', 'router', rid,
                   'edge', 'p', 'd', 'r') for rid in ('r1', 'r2')]
    with pytest.raises(harden.Refused, match='more than one resource '
                       "named 'edge'"):
        decisions.find(two, 'router-external-gateway', 'edge')


def test_a_finding_with_nowhere_to_record_is_refused():
    from xloudclient.audit.finding import Finding
    odd = Finding('low', 'x', 'subnet', 's1', 's', 'p', 'd', 'r')
    with pytest.raises(harden.Refused, match='cannot find where to '
                       'record a decision on subnet s1'):
        decisions.target(odd, inventory_mod.Inventory())


def test_a_decision_on_another_rule_of_the_group_is_not_this_one():
    cloud = _cloud(group_tags=[_decision(SSH, 'other-rule')])
    result = _audit(cloud)
    [finding] = [f for f in result.findings if f.resource_id == RULE]
    tgt = decisions.target(finding, result.inventory)
    assert tgt.existing == []
    assert _write(cloud, tgt, 'x', datetime.date(2027, 1, 1),
                  'a')[0] == 'accepted'


def test_the_way_on_names_the_key_of_a_keyed_finding():
    import shlex

    from tests.unit import faults
    from xloudclient.audit.finding import Finding
    finding = Finding('medium', 'aap-wide-prefix', 'port', 'p1', 'vm', 'p',
                      'd', 'r', key='10.0.0.0/16')
    tgt = decisions.Target(finding, 'ports', {'id': 'p1', 'tags': []},
                           '10.0.0.0/16', [])
    cloud = FakeNeutron(ports=[{'id': 'p1', 'tags': []}])
    cloud.keystone = FakeKeystone(('p',))
    with pytest.raises(harden.Refused) as failed:
        _write(faults.FaultyClient(cloud, '503', methods=('put',)),
               tgt, 'k8s pods', datetime.date(2027, 1, 1), 'a')
    argv = shlex.split(str(failed.value).split('`')[1])
    assert argv[:6] == ['openstack', 'network', 'harden', 'accept',
                        'aap-wide-prefix', 'p1']
    assert argv[argv.index('--key') + 1] == '10.0.0.0/16'


@pytest.mark.parametrize('how, at', [('renew', 3), ('renew', 4),
                                     ('revoke', 1), ('revoke', 2)])
def test_a_removal_that_fails_once_is_sent_again(how, at):
    from tests.unit import faults
    old = _decision(SSH, RULE, reason='old')
    cloud = _cloud(group_tags=['keep-me', old])
    if how == 'renew':
        result = _audit(cloud)
        [finding] = [f for f, _ in result.accepted if f.resource_id == RULE]
        tgt = decisions.target(finding, result.inventory)
        # the record is request 1, its endorsement 2; the old one's
        # endorsement goes at 3, its record at 4
        _write(faults.FaultyClient(cloud, 'reset', at=at), tgt, 'new',
               datetime.date(2027, 1, 1), 'a', renew=True, now=NOW)
        tags = cloud.data['security-groups'][0]['tags']
        assert len(tags) == 2 and old not in tags
    else:
        inv = _fetch(cloud, tuple(accepted.TAGGABLE))
        rtype, holder, found = decisions.find_decisions(inv, SSH, RULE)
        # its endorsement goes at 1, its record at 2
        _unwrite(faults.FaultyClient(cloud, 'reset', at=at), rtype,
                 holder, found)
        assert cloud.data['security-groups'][0]['tags'] == ['keep-me']


def test_find_decisions_by_name_check_and_rule():
    cloud = _cloud(group_tags=[_decision(SSH, RULE),
                               _decision('sg-default-in-use', '')],
                   router_tags=[_decision('router-external-gateway', '')])
    cloud.data['security-groups'][1]['tags'] = [_decision(SSH, 'r2')]
    inv = _fetch(cloud, tuple(accepted.TAGGABLE))
    _, holder, found = decisions.find_decisions(inv, 'sg-default-in-use',
                                                'bastion')
    assert holder['id'] == 'bastion'
    assert [d.check for d in found] == ['sg-default-in-use']
    _, holder, found = decisions.find_decisions(inv, SSH, RULE)
    assert holder['id'] == 'bastion' and [d.item for d in found] == [RULE]
    _, holder, _ = decisions.find_decisions(inv, SSH, 'r2')
    assert holder['id'] == 'web'
    cloud.data['security-groups'][1]['name'] = 'bastion'
    cloud.data['security-groups'][1]['tags'].append(
        _decision('sg-default-in-use', ''))
    inv = _fetch(cloud, tuple(accepted.TAGGABLE))
    with pytest.raises(harden.Refused, match="more than one resource "
                       "named 'bastion'"):
        decisions.find_decisions(inv, 'sg-default-in-use', 'bastion')


def test_list_port_security_records_sorted_and_filtered():
    review = datetime.date(2027, 1, 1)
    old = datetime.date(2026, 11, 1)

    def port(pid, project, enabled, *tags):
        return {'id': pid, 'project_id': project, 'tags': list(tags),
                'port_security_enabled': enabled}
    inv = inventory_mod.Inventory(ports=[
        port('z-on', 'b', True, rec.make_tag(review, NOW, 'a', [], 'x')),
        port('a-off', 'b', False, rec.make_tag(review, NOW, 'a', [], 'x')),
        port('m', 'a', False, rec.make_tag(review, NOW, 'a', [], 'x'),
             # older, so listed after the record: still found by --overdue
             _decision('aap-wide-prefix', '10.0.0.0/16', review=old,
                       granted=NOW - datetime.timedelta(days=1)))])
    inv.endorsements = endorse.of_inventory(inv)
    rows = decisions.list_decisions(inv, [], TODAY)
    assert [(r.resource['id'], r.decision.check, r.status) for r in rows] \
        == [('m', 'aap-wide-prefix', 'overdue'),
            ('m', 'port-security-disabled', 'accepted'),
            ('a-off', 'port-security-disabled', 'accepted'),
            ('z-on', 'port-security-disabled', 'stale')]
    assert [r.resource['id'] for r in decisions.list_decisions(
        inv, [], TODAY, overdue_only=True)] == ['m']


def test_a_keyed_findings_decision_is_kept_under_its_key():
    from xloudclient.audit.finding import Finding
    keyed = Finding('medium', 'aap-wide-prefix', 'port', 'p1', 'vm', 'p',
                    'd', 'r', key='10.0.0.0/16')
    assert accepted.holder(keyed, inventory_mod.Inventory()) == (
        'ports', 'p1', '10.0.0.0/16')


def test_an_admins_accept_prunes_endorsements_that_name_no_record():
    """A deleted resource or record leaves its endorsement behind: the
    next accept in that project removes it (Keystone keeps 80 tags)."""
    cloud = _cloud(group_tags=[_decision('router-external-gateway', '')])
    gone = rec.endorsement_tag('security_groups', 'deleted-group',
                               _decision(SSH, RULE), 'admin')
    cloud.keystone.data['p']['tags'].append(gone)
    cloud.keystone.data['q']['tags'].append(gone)     # not this project's
    kept = list(cloud.keystone.data['p']['tags'])
    result = _audit(cloud)
    [finding] = [f for f in result.findings if f.resource_id == RULE]
    action, tag = _write(cloud, decisions.target(finding, result.inventory),
                         'bastion', datetime.date(2027, 1, 1), 'admin',
                         now=NOW, inventory=result.inventory)
    assert action == 'accepted'
    tags = cloud.keystone.data['p']['tags']
    assert gone not in tags and set(kept) - {gone} <= set(tags)
    assert len(tags) == len(kept)           # one pruned, one written
    assert gone in cloud.keystone.data['q']['tags']


def test_an_endorsement_lost_to_a_concurrent_change_is_written_again():
    """Keystone rewrites a project's whole tag list on each change: a
    concurrent writer can undo ours. Read back, and write again."""
    cloud = _cloud()
    keystone = cloud.keystone
    undone = []

    def concurrent(method, path):
        # right after our first PUT lands, another writer's stale list
        # overwrites it (once)
        if method == 'GET' and not undone and keystone.data['p']['tags']:
            undone.append(keystone.data['p']['tags'][:])
            keystone.data['p']['tags'] = []
    holder = {'id': 'bastion', 'project_id': 'p'}
    keystone.hook = concurrent
    assert decisions.endorse(keystone, holder, rec.endorsement_tag(
        'security_groups', holder['id'], 'rec', 'admin'))
    assert undone and len(keystone.data['p']['tags']) == 1
    # and a removal a concurrent writer undoes is sent again
    [tag] = keystone.data['p']['tags']
    back = []

    def resurrect(method, path):
        if method == 'GET' and not back and not keystone.data['p']['tags']:
            back.append(tag)
            keystone.data['p']['tags'] = [tag]
    keystone.hook = resurrect
    assert decisions.unendorse(keystone, holder, rec.Endorsement('admin', tag))
    assert back and keystone.data['p']['tags'] == []


def test_keystones_non_unique_answer_for_a_tag_then_undone_is_written_again():
    """Keystone saw the tag (another writer's, or ours whose answer was
    lost) and said 400 "non-unique"; a concurrent stale rewrite removed it
    before the read back (seen on MariaDB with 8 writers): written again,
    not an error."""
    cloud = _cloud()
    keystone = cloud.keystone
    tag = rec.endorsement_tag('security_groups', 'bastion', 'rec', 'admin')
    seen = []

    def concurrent(method, path):
        if method == 'PUT' and not seen:      # Keystone's read holds it
            seen.append('400')
            keystone.data['p']['tags'].append(tag)
        elif method == 'GET' and seen == ['400']:   # then it is undone
            seen.append('undone')
            keystone.data['p']['tags'].remove(tag)
    keystone.hook = concurrent
    assert decisions.endorse(keystone, {'id': 'bastion', 'project_id': 'p'},
                             rec.endorsement_tag('security_groups', 'bastion',
                                                 'rec', 'admin'))
    assert seen == ['400', 'undone']
    assert keystone.data['p']['tags'] == [tag]
    assert [m for m, _ in keystone.log].count('PUT') == 2


def test_keystones_other_400s_are_errors():
    """A 400 that is not "non-unique" (a tag Keystone will not hold) is
    no success: raised, with Keystone's words."""
    cloud = _cloud()
    keystone = cloud.keystone
    keystone.put = lambda path, **kw: FakeResponse(400, {'error': {
        'message': "Invalid input for field 'tags': is too long"}})
    with pytest.raises(neutron.NeutronError, match='is too long'):
        decisions.endorse(keystone, {'id': 'g', 'project_id': 'p'},
                          rec.endorsement_tag('security_groups', 'g', 'rec',
                                              'admin'))


def test_an_endorsement_that_never_settles_is_an_error():
    cloud = _cloud()
    keystone = cloud.keystone
    keystone.hook = lambda m, p: keystone.data['p'].update(tags=[]) \
        if m == 'GET' else None
    with pytest.raises(harden.Refused, match='kept losing an '
                       'endorsement on project p'):
        decisions.endorse(keystone, {'id': 'g', 'project_id': 'p'},
                          rec.endorsement_tag('security_groups', 'g', 'rec',
                                              'admin'))
