"""Reviewed decisions through the real CLI against the devcloud: accept,
the audit quiet until the review date, overdue, revoke, a member's scope,
concurrent decisions on one resource, bad input, port-security records."""

import datetime
import json
import subprocess
import uuid

import pytest

from tests.functional.conftest import OPENSTACK
from tests.functional import reviewed

SSH = 'sg-ingress-ssh-from-world'
RDP = 'sg-ingress-sensitive-from-world'


@pytest.fixture(scope='module')
def group(devcloud, demo, admin):
    """A demo security group with world-open SSH and RDP rules."""
    name = 'xld-%s' % uuid.uuid4().hex[:6]
    sg = demo.json('security', 'group', 'create', name)['id']
    rules = {}
    for label, port in (('ssh', '22'), ('rdp', '3389')):
        rules[label] = demo.json(
            'security', 'group', 'rule', 'create', sg, '--protocol', 'tcp',
            '--dst-port', port, '--remote-ip', '0.0.0.0/0')['id']
    yield {'id': sg, 'name': name, 'rules': rules}
    demo.run('security', 'group', 'delete', sg, check=False)


def _tags(cli, group):
    return cli.json('security', 'group', 'show', group['id'])['tags']


def _audit(cli, *argv, check=SSH, scope=('--all-projects',)):
    proc = cli.run('network', 'harden', 'audit', *scope,
                   '--check', check, '-f', 'json', *argv, check=False)
    assert proc.returncode in (0, 3), proc.stderr
    return proc, json.loads(proc.stdout)


def _ids(rows):
    return {r['Resource ID'] for r in rows}


def _others_baseline(admin, group, tmp_path):
    """A baseline of every SSH finding but ours: the exit code then
    depends on our rule alone."""
    _, rows = _audit(admin)
    path = tmp_path / 'baseline.json'
    path.write_text(json.dumps([r for r in rows if r['Resource ID'] !=
                                group['rules']['ssh']]))
    return str(path)


def test_accept_quiets_the_finding_until_revoked(admin, group, tmp_path):
    rule = group['rules']['ssh']
    baseline = _others_baseline(admin, group, tmp_path)
    before, rows = _audit(admin, '--baseline', baseline)
    assert before.returncode == 3 and _ids(rows) == {rule}
    out = admin.json('network', 'harden', 'accept', SSH, rule, '--reason',
                     'bastion: SSH by design', '--review-in', '30')
    assert (out['Action'], out['Recorded On']) == (
        'accepted', 'security group %s' % group['name'])
    after, rows = _audit(admin, '--baseline', baseline)
    assert after.returncode == 0 and rows == []
    assert ', 1 accepted;' in after.stderr
    _, shown = _audit(admin, '--show-accepted')
    [row] = [r for r in shown if r['Resource ID'] == rule]
    assert row['Status'] == 'accepted until %s' % (
        datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    listed = admin.json('network', 'harden', 'accepted', 'list',
                        '--all-projects')
    [entry] = [r for r in listed if r['Item'] == rule]
    assert (entry['Status'], entry['Reason'], entry['Project Name']) == (
        'accepted', 'bastion: SSH by design', 'demo')
    # other rules come and go: the decision stays with the group
    extra = admin.json('security', 'group', 'rule', 'create', group['id'],
                       '--protocol', 'udp', '--dst-port', '53')['id']
    admin.run('security', 'group', 'rule', 'delete', extra)
    assert rule not in _ids(_audit(admin)[1])
    revoked = admin.json('network', 'harden', 'revoke', SSH, rule)
    assert revoked['Action'] == 'revoked'
    back, rows = _audit(admin, '--baseline', baseline)
    assert back.returncode == 3 and _ids(rows) == {rule}


def _endorse(admin, group, tag):
    """What `approve` writes, by hand: the endorsement of tag on the
    group's project (demo's)."""
    from xloudclient import records as rec

    endorsement = rec.endorsement_tag('security_groups', group['id'], tag,
                                      'admin')
    admin.run('project', 'set', '--tag', endorsement, 'demo')
    return endorsement


def test_an_overdue_decision_brings_the_finding_back(admin, group):
    rule = group['rules']['ssh']
    past = datetime.date.today() - datetime.timedelta(days=3)
    granted = (past - datetime.timedelta(days=60)).strftime('%Y%m%d')
    tag = ('xloud-acc:v1 check=%s item=%s review=%s '
           'granted=%sT000000Z-0a0a by=someone reason=old%%20review'
           % (SSH, rule.replace('-', ''), past.isoformat(), granted))
    admin.run('security', 'group', 'set', '--tag', tag, group['id'])
    endorsement = _endorse(admin, group, tag)
    try:
        _, rows = _audit(admin)
        assert rule in _ids(rows)
        _, overdue = _audit(admin, check='accepted-review-overdue')
        [row] = [r for r in overdue if r['Resource ID'] == group['id']]
        assert row['Detail'] == '%s (%s) accepted until %s (3 days ago): ' \
            'old review' % (SSH, rule, past.isoformat())
        assert row['Severity'] == 'medium'
        listed = admin.json('network', 'harden', 'accepted', 'list',
                            '--all-projects', '--overdue')
        assert [r['Item'] for r in listed if r['Check'] == SSH] == [rule]
    finally:
        admin.run('security', 'group', 'unset', '--tag', tag, group['id'])
        admin.run('project', 'set', '--remove-tag', endorsement, 'demo')


def test_an_unreadable_record_is_reported_not_trusted(admin, group):
    tag = 'xloud-acc:v1 check=%s garbage' % SSH
    admin.run('security', 'group', 'set', '--tag', tag, group['id'])
    try:
        _, rows = _audit(admin)
        assert group['rules']['ssh'] in _ids(rows)
        _, bad = _audit(admin, check='accepted-record-invalid')
        assert group['id'] in _ids(bad)
    finally:
        admin.run('security', 'group', 'unset', '--tag', tag, group['id'])


def test_a_member_requests_in_its_project_only(demo, admin, group, unique,
                                               cleanup):
    mine = demo.json('network', 'harden', 'accept', RDP,
                     group['rules']['rdp'], '--reason', 'jump host RDP')
    assert mine['Action'] == (
        'requested (an admin approves it with `openstack network harden '
        'approve %s %s --request %s`)' % (
            RDP, group['rules']['rdp'], reviewed.request_id(
                admin, RDP, group['rules']['rdp'])))
    demo.run('network', 'harden', 'revoke', RDP, group['rules']['rdp'])
    other = admin.json('security', 'group', 'create', unique)['id']
    cleanup.append((admin, 'security', 'group', 'delete', other))
    rule = admin.json('security', 'group', 'rule', 'create', other,
                      '--protocol', 'tcp', '--dst-port', '22',
                      '--remote-ip', '0.0.0.0/0')['id']
    refused = demo.run('network', 'harden', 'accept', SSH, rule,
                       '--reason', 'not mine', check=False)
    assert refused.returncode == 1
    assert 'reports nothing on' in refused.stderr
    assert admin.json('security', 'group', 'show', other)['tags'] == []


def test_two_admins_accepting_on_one_group_at_once_keep_both(admin,
                                                             group):
    procs = [subprocess.Popen(
        [OPENSTACK, 'network', 'harden', 'accept', check,
         group['rules'][label], '--reason', 'both at once'],
        env=admin.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for check, label in ((SSH, 'ssh'), (RDP, 'rdp'))]
    try:
        for proc in procs:
            assert proc.wait(timeout=120) == 0, proc.stderr.read()
        checks = sorted(t.split()[1] for t in _tags(admin, group)
                        if t.startswith('xloud-acc:'))
        assert checks == ['check=%s' % RDP, 'check=%s' % SSH]
    finally:
        for check, label in ((SSH, 'ssh'), (RDP, 'rdp')):
            admin.run('network', 'harden', 'revoke', check,
                      group['rules'][label], check=False)


@pytest.mark.parametrize('argv, message', [
    (('no-such-check', 'x', '--reason', 'r'), 'no check'),
    ((SSH, 'not-a-resource', '--reason', 'r'), 'reports nothing on'),
    ((SSH, '{ssh}', '--reason', 'x' * 300), 'too long'),
    ((SSH, '{ssh}', '--reason', 'r', '--review-by', '2020-01-01'),
     'in the past'),
])
def test_bad_input_is_one_line_and_changes_nothing(admin, group, argv,
                                                   message):
    before = _tags(admin, group)
    argv = [a.format(ssh=group['rules']['ssh']) for a in argv]
    proc = admin.run('network', 'harden', 'accept', *argv, check=False)
    assert proc.returncode == 1
    assert message in proc.stderr and proc.stderr.count('\n') == 1
    assert _tags(admin, group) == before


def test_port_security_records_are_decisions_and_still_enable(demo, admin,
                                                              unique,
                                                              cleanup):
    net = demo.json('network', 'create', unique)['id']
    cleanup.append((demo, 'network', 'delete', net))
    port = demo.json('port', 'create', '--network', net, unique)['id']
    cleanup.append((demo, 'port', 'delete', port))
    disabled = demo.json('port', 'security', 'disable', port, '--reason',
                         'appliance')
    assert disabled['Action'] == 'disabled (requested)'

    def status():
        listed = admin.json('network', 'harden', 'accepted', 'list',
                            '--all-projects')
        [row] = [r for r in listed if r['Resource ID'] == port]
        assert (row['Check'], row['Reason']) == ('port-security-disabled',
                                                 'appliance')
        return row['Status']
    assert status() == 'requested'
    approved = reviewed.approve(admin, 'port-security-disabled', port)
    assert approved['Action'] == 'approved'
    assert status() == 'accepted'
    out = demo.json('port', 'security', 'enable', port)
    assert out['Port Security Enabled'] is True


def test_the_guides_gateway_and_floating_ip_reviews_stay_quiet(demo, admin,
                                                               unique,
                                                               cleanup):
    """The guide's checklist: confirm each router's external gateway, and
    coordinate the release of floating IPs: reviewed once, quiet after."""
    router = demo.json('router', 'create', unique)['id']
    cleanup.append((demo, 'router', 'delete', router))
    demo.run('router', 'set', '--external-gateway', 'public', router)
    cleanup.append((demo, 'router', 'unset', '--external-gateway', router))
    fip = demo.json('floating', 'ip', 'create', 'public')
    cleanup.append((demo, 'floating', 'ip', 'delete', fip['id']))
    for check, ref in (('router-external-gateway', unique),
                       ('fip-unassociated', fip['floating_ip_address'])):
        assert ref in {r['Resource Name'] or r['Resource ID']
                       for r in _audit(demo, check=check, scope=())[1]}
        out = admin.json('network', 'harden', 'accept', check, ref,
                         '--reason', 'reviewed with the owner',
                         '--review-in', '90')
        cleanup.append((admin, 'network', 'harden', 'revoke', check, ref))
        assert out['Action'] == 'accepted'
        proc, rows = _audit(demo, check=check, scope=())
        assert ref not in {r['Resource Name'] for r in rows}
        assert ', 1 accepted;' in proc.stderr


def test_a_request_and_an_earlier_releases_record_hide_once_approved(
        demo, admin, group, tmp_path):
    """The happy paths of approval: a member's request, and a record as
    the previous release wrote it (no endorsement): each hides nothing
    until an admin approves it, then hides its finding."""
    rule = group['rules']['ssh']
    baseline = _others_baseline(admin, group, tmp_path)
    today = datetime.datetime.now(datetime.timezone.utc)
    legacy = ('xloud-acc:v1 check=%s item=%s review=%s granted=%s-0b0b '
              'by=ops reason=legacy%%20bastion' % (
                  SSH, rule.replace('-', ''),
                  (today + datetime.timedelta(days=20)).date().isoformat(),
                  today.strftime('%Y%m%dT%H%M%SZ')))
    for how in ('request', 'legacy'):
        if how == 'request':
            out = demo.json('network', 'harden', 'accept', SSH, rule,
                            '--reason', 'jump host', '--review-in', '20')
            assert out['Action'].startswith('requested')
        else:
            admin.run('security', 'group', 'set', '--tag', legacy,
                      group['id'])
        proc, rows = _audit(admin, '--baseline', baseline)
        assert proc.returncode == 3 and _ids(rows) == {rule}, how
        [row] = [r for r in admin.json('network', 'harden', 'accepted',
                                       'list', '--all-projects',
                                       '--requested', '--long')
                 if r['Item'] == rule]
        assert (row['Status'], row['Approved By']) == ('requested', '')
        out = reviewed.approve(admin, SSH, rule)
        assert out['Action'] == 'approved'
        proc, rows = _audit(admin, '--baseline', baseline)
        assert proc.returncode == 0 and rows == [], how
        admin.run('network', 'harden', 'revoke', SSH, rule)
        assert _audit(admin, '--baseline', baseline)[0].returncode == 3
