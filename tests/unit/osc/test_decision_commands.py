"""`network harden accept/revoke/accepted list` as commands: bad input is
one line and changes nothing; a member stays in its project; the audit
hides what is accepted and counts it."""

import datetime
import json

import pytest

from tests.unit.harden import decision_cases as base
from tests.unit.osc import harness
from xloudclient.osc import audit_commands
from xloudclient.osc import decision_commands

SSH, RULE = base.SSH, base.RULE


def _writes(cloud):
    return [(m, p) for m, p in cloud.log if m != 'GET']


def _accept(*argv, cloud=None, roles=('admin',), project_id='p'):
    cloud = cloud or base._cloud()
    result = harness.run(decision_commands.AcceptFinding, ['-f', 'json'] +
                         list(argv), cloud,
                         auth_ref=harness.auth(roles=roles,
                                               project_id=project_id))
    return result, cloud


def _audit(cloud, *argv):
    return harness.run(audit_commands.AuditNetwork,
                       ['--all-projects', '-f', 'json', '--check', SSH] +
                       list(argv), cloud)


def test_accept_then_the_audit_hides_and_counts_it():
    result, cloud = _accept(SSH, RULE, '--reason', 'bastion',
                            '--review-in', '30')
    assert result.code == 0, result.error
    out = json.loads(result.out)
    assert (out['Action'], out['Resource ID'], out['Recorded On']) == (
        'accepted', RULE, 'security group bastion')
    assert out['Review By'] == (datetime.date.today() + datetime.timedelta(
        days=30)).isoformat()
    shown = _audit(cloud)
    assert RULE not in [r['Resource ID'] for r in json.loads(shown.out)]
    assert ', 1 accepted;' in shown.err
    every = _audit(cloud, '--show-accepted')
    status = {r['Resource ID']: r['Status'] for r in json.loads(every.out)}
    assert status[RULE].startswith('accepted until ')
    assert status['r2'] == 'open'


def test_an_accepted_finding_no_longer_fails_the_pipeline():
    cloud = base._cloud()
    cloud.data['security-group-rules'].pop()           # only RULE left
    assert _audit(cloud).code == 3
    _accept(SSH, RULE, '--reason', 'bastion', cloud=cloud)
    assert _audit(cloud).code == 0


@pytest.mark.parametrize('argv, message', [
    ((SSH, 'nope', '--reason', 'x'), 'reports nothing on'),
    (('no-such-check', RULE, '--reason', 'x'), 'no check'),
    ((SSH, RULE, '--reason', 'x' * 300), 'too long'),
    ((SSH, RULE, '--reason', '  '), 'must not be empty'),
    ((SSH, RULE, '--reason', 'x', '--review-by', '2020-01-01'),
     'in the past'),
    ((SSH, RULE, '--reason', 'x', '--review-in', '400'), 'from 0 to 366'),
    (('accepted-review-overdue', 'bastion', '--reason', 'x'),
     'about decisions themselves'),
])
def test_bad_input_is_one_line_and_changes_nothing(argv, message):
    result, cloud = _accept(*argv)
    assert result.code == 1 and message in str(result.error)
    assert '\n' not in str(result.error)
    assert _writes(cloud) == []


def test_a_member_accepts_in_its_project_and_nowhere_else():
    mine, cloud = _accept(SSH, RULE, '--reason', 'x', roles=('member',))
    assert mine.code == 0, mine.error
    theirs, cloud = _accept(SSH, 'r2', '--reason', 'x', roles=('member',))
    assert theirs.code == 1 and 'reports nothing' in str(theirs.error)
    assert _writes(cloud) == []


def test_accepting_twice_needs_renew():
    _, cloud = _accept(SSH, RULE, '--reason', 'first')
    again, _ = _accept(SSH, RULE, '--reason', 'second', cloud=cloud)
    assert again.code == 1 and '--renew' in str(again.error)
    renewed, _ = _accept(SSH, RULE, '--reason', 'second', '--renew',
                         cloud=cloud)
    assert json.loads(renewed.out)['Action'] == 'renewed'
    assert len(cloud.data['security-groups'][0]['tags']) == 1


def test_dry_run_writes_nothing():
    result, cloud = _accept(SSH, RULE, '--reason', 'x', '--dry-run')
    assert json.loads(result.out)['Action'] == 'would be accepted'
    assert _writes(cloud) == []


def test_revoke_brings_the_finding_back():
    _, cloud = _accept(SSH, RULE, '--reason', 'x')
    result = harness.run(decision_commands.RevokeFinding,
                         ['-f', 'json', SSH, RULE], cloud)
    assert json.loads(result.out)['Action'] == 'revoked'
    assert RULE in [r['Resource ID'] for r in json.loads(_audit(cloud).out)]
    again = harness.run(decision_commands.RevokeFinding, [SSH, RULE], cloud)
    assert again.code == 1 and 'no accepted' in str(again.error)


def test_port_security_exceptions_end_with_enable_not_revoke():
    result = harness.run(decision_commands.RevokeFinding,
                         ['port-security-disabled', 'p1'], base._cloud())
    assert result.code == 1
    assert 'openstack port security enable p1' in str(result.error)


def test_accepted_list_shows_status_and_names():
    _, cloud = _accept(SSH, RULE, '--reason', 'bastion')
    result = harness.run(decision_commands.ListAccepted,
                         ['--all-projects', '-f', 'json'], cloud)
    [row] = json.loads(result.out)
    assert (row['Check'], row['Resource'], row['Status'], row['Reason'],
            row['Item']) == (SSH, 'bastion', 'accepted', 'bastion', RULE)
    assert row['Project'] == 'p' and row['Days Left'] == 90


def _approve(cloud, *argv, roles=('admin',)):
    return harness.run(decision_commands.ApproveFinding, ['-f', 'json'] +
                       list(argv), cloud,
                       auth_ref=harness.auth(roles=roles, project_id='p'))


def _listed(cloud, *argv):
    return json.loads(harness.run(decision_commands.ListAccepted,
                                  ['-f', 'json', '--all-projects'] +
                                  list(argv), cloud).out)


def test_a_members_accept_is_a_request_until_an_admin_approves_it():
    cloud = base._cloud()
    cloud.data['security-group-rules'].pop()           # only RULE left
    mine, _ = _accept(SSH, RULE, '--reason', 'jump host', roles=('member',),
                      cloud=cloud)
    assert mine.code == 0, mine.error
    [request] = [r['Request'] for r in _listed(cloud, '--requested',
                                               '--long')]
    assert json.loads(mine.out)['Action'].startswith(
        'requested (an admin approves it with `openstack network harden '
        'approve %s %s --request %s`)' % (SSH, RULE, request))
    # the request hides nothing and is itself a finding
    shown = _audit(cloud, '--check', 'accepted-request-pending')
    assert shown.code == 3
    rows = json.loads(shown.out)
    assert (SSH, RULE) in [(r['Check'], r['Resource ID']) for r in rows]
    [pending] = [r for r in rows if r['Check'] == 'accepted-request-pending']
    assert pending['Remediation'] == (
        'openstack network harden approve %s %s --request %s'
        % (SSH, RULE, request))
    assert [r['Status'] for r in _listed(cloud, '--requested')] == [
        'requested']
    # a member cannot approve it
    refused = _approve(cloud, SSH, RULE, '--request', request,
                       roles=('member',))
    assert refused.code == 1 and 'only an admin' in str(refused.error)
    # an admin can, naming the record; then it hides the finding
    unnamed = _approve(cloud, SSH, RULE)
    assert unnamed.code == 1 and request in str(unnamed.error)
    approved = _approve(cloud, SSH, RULE, '--request', request)
    assert approved.code == 0, approved.error
    out = json.loads(approved.out)
    assert (out['Action'], out['Granted By'], out['Approved By']) == (
        'approved', 'someone', 'someone (u-someone)')
    assert _audit(cloud).code == 0
    [row] = _listed(cloud, '--long')
    assert (row['Status'], row['Approved By']) == (
        'accepted', 'someone (u-someone)')
    again = _approve(cloud, SSH, RULE, '--request', request)
    assert json.loads(again.out)['Action'] == 'already approved'


def test_a_record_of_an_earlier_release_is_unverified_until_approved():
    cloud = base._cloud(group_tags=[base._decision(
        SSH, RULE, review=datetime.date.today() + datetime.timedelta(30),
        granted=datetime.datetime.now(datetime.timezone.utc))],
        endorsed=False)
    cloud.data['security-group-rules'].pop()
    assert _audit(cloud).code == 3                     # hides nothing
    [row] = _listed(cloud, '--long')
    assert row['Status'] == 'requested'
    assert _approve(cloud, SSH, RULE, '--request', row['Request']).code == 0
    assert _audit(cloud).code == 0


def test_a_copied_or_edited_decision_hides_nothing():
    cloud = base._cloud(group_tags=[base._decision(SSH, RULE)])
    cloud.data['security-group-rules'].pop()
    assert _audit(cloud).code == 0                     # the real one
    group = cloud.data['security-groups'][0]
    real = group['tags'][0]
    for forged in (real.replace('by design', 'by desigN'),
                   real.replace('review=2027-02-01', 'review=2027-02-02'),
                   real.replace('by=admin', 'by=root')):
        group['tags'] = [forged]
        assert _audit(cloud).code == 3, forged
    # copied onto the other group, it does not cover that group's rule
    group['tags'] = []
    web = cloud.data['security-groups'][1]
    web['tags'] = [base._decision(SSH, 'r2')]
    cloud.data['security-group-rules'].append(
        base._rule('r2', security_group_id='web', project_id='q'))
    assert 'r2' in [r['Resource ID'] for r in json.loads(_audit(cloud).out)]


def _prune(cloud, *argv, roles=('admin',)):
    return harness.run(decision_commands.PruneAccepted,
                       ['-f', 'json', '--all-projects'] + list(argv), cloud,
                       auth_ref=harness.auth(roles=roles))


def _orphan(cloud, project='p', holder='gone-port'):
    """An endorsement whose record (and resource) is gone."""
    from xloudclient import records as rec

    tag = rec.endorsement_tag('ports', holder, base._decision(SSH, RULE),
                              'admin')
    cloud.keystone.data[project]['tags'].append(tag)
    return tag


def test_prune_removes_only_endorsements_naming_no_record():
    cloud = base._cloud()
    cloud.data['security-group-rules'].pop()
    _accept(SSH, RULE, '--reason', 'bastion', cloud=cloud)
    live = list(cloud.keystone.data['p']['tags'])
    gone = _orphan(cloud)
    shown = _audit(cloud, '--check', 'accepted-request-pending')
    assert ', 1 endorsement naming no decision;' in shown.err
    assert ('`openstack network harden accepted prune --all-projects '
            '--dry-run`') in shown.err
    plan = _prune(cloud, '--dry-run')
    assert plan.code == 0, plan.error
    assert [(r['Project'], r['Endorsement'], r['Action'])
            for r in json.loads(plan.out)] == [('p', gone,
                                                'would be removed')]
    assert cloud.keystone.data['p']['tags'] == live + [gone]
    done = _prune(cloud)
    assert [r['Action'] for r in json.loads(done.out)] == ['removed']
    assert cloud.keystone.data['p']['tags'] == live
    assert _audit(cloud).code == 0                     # still accepted
    assert json.loads(_prune(cloud).out) == []


def test_prune_is_for_admins_and_changes_nothing_otherwise():
    cloud = base._cloud()
    gone = _orphan(cloud)
    refused = _prune(cloud, roles=('member',))
    assert refused.code == 1 and 'needs the admin role' in str(
        refused.error)
    assert cloud.keystone.data['p']['tags'] == [gone]


def test_an_audit_that_did_not_read_every_taggable_type_counts_none():
    cloud = base._cloud()
    _orphan(cloud)
    assert 'naming no decision' not in _audit(cloud).err   # --check SSH


def test_a_project_near_keystones_tag_limit_is_named():
    cloud = base._cloud()
    cloud.keystone.data['q']['tags'] = ['t%d' % i for i in range(74)]
    said = _audit(cloud).err
    assert 'Keystone keeps at most 80 tags per project' in said
    assert 'q has 74' in said and 'p has' not in said


def test_prunes_table_fits_a_terminal_and_long_shows_the_tag():
    cloud = base._cloud()
    gone = _orphan(cloud)
    table = harness.run(decision_commands.PruneAccepted,
                        ['--all-projects', '--dry-run'], cloud)
    assert gone.split()[1][:16] in table.out and gone not in table.out
    assert max(len(line) for line in table.out.splitlines()) <= 80
    long = harness.run(decision_commands.PruneAccepted,
                       ['--all-projects', '--dry-run', '--long'], cloud)
    assert gone in long.out
