"""Decisions bound to what they decided, approvals of what was reviewed,
no leftovers (issue 28), through the real CLI as the `demo` member.

After each attack the admin's audit reports the finding and exits as it
would without the decision (a baseline of every other finding of the
check makes the exit code depend on the attacked resource alone)."""

import datetime
import json
import os
import uuid

import pytest

from tests.functional.conftest import CLI
from xloudclient import records as rec

FIP = 'fip-exposes-sensitive-port'
ANY = 'sg-ingress-any-from-world'
SSH = 'sg-ingress-ssh-from-world'
CHANGED = 'stale (finding changed)'


@pytest.fixture(scope='module')
def site(devcloud, demo, admin):
    """demo's routed network; a bastion group (SSH from anywhere), two
    groups that each admit half of IPv4 on every TCP port, a port in each
    kind and a floating IP on the bastion."""
    name = 'xlb-%s' % uuid.uuid4().hex[:6]
    made, undo = {'name': name}, []

    def make(key, *argv, delete):
        made[key] = demo.json(*argv)['id']
        undo.append(delete + (made[key],))

    try:
        make('net', 'network', 'create', name,
             delete=('network', 'delete'))
        make('subnet', 'subnet', 'create', '--network', made['net'],
             '--subnet-range', '10.67.0.0/24', name,
             delete=('subnet', 'delete'))
        make('router', 'router', 'create', '--external-gateway', 'public',
             name, delete=('router', 'delete'))
        demo.run('router', 'add', 'subnet', made['router'], made['subnet'])
        undo.append(('router', 'remove', 'subnet', made['router'],
                     made['subnet']))
        for key, prefix, port in (('bastion', '0.0.0.0/0', '22'),
                                  ('low', '0.0.0.0/1', None),
                                  ('high', '128.0.0.0/1', None)):
            make(key, 'security', 'group', 'create', '%s-%s' % (name, key),
                 delete=('security', 'group', 'delete'))
            demo.run('security', 'group', 'rule', 'create', made[key],
                     '--protocol', 'tcp', '--remote-ip', prefix,
                     *(('--dst-port', port) if port else ()))
        make('p-bastion', 'port', 'create', '--network', made['net'],
             '--security-group', made['bastion'], name + '-bastion',
             delete=('port', 'delete'))
        make('p-web', 'port', 'create', '--network', made['net'],
             '--security-group', made['low'], '--security-group',
             made['high'], name + '-web', delete=('port', 'delete'))
        fip = demo.json('floating', 'ip', 'create', 'public', '--port',
                        made['p-bastion'])
        made['fip'] = fip['id']
        undo.append(('floating', 'ip', 'delete', fip['id']))
        yield made
    finally:
        for argv in reversed(undo):
            demo.run(*argv, check=False)


@pytest.fixture(params=['demo', 'demo-manager'])
def attacker(request, devcloud, demo):
    """Who changes what was decided: the demo member, or a user with only
    the manager role on demo."""
    if request.param == 'demo':
        return demo
    return CLI(os.path.join(devcloud, 'demo-manager-openrc.sh'))


def _audit(admin, check, baseline=None):
    proc = admin.run('network', 'harden', 'audit', '--all-projects',
                     '--check', check, '-f', 'json',
                     *(('--baseline', baseline) if baseline else ()),
                     check=False)
    assert proc.returncode in (0, 3), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _baseline(admin, check, tmp_path, mine):
    _, rows = _audit(admin, check)
    path = tmp_path / ('baseline-%s.json' % check)
    path.write_text(json.dumps([r for r in rows
                                if r['Resource ID'] != mine]))
    return str(path)


def _listed(admin, resource):
    """(Status, Request, Approved By) of the decisions on resource."""
    return [(r['Status'], r['Request'], r['Approved By'])
            for r in admin.json('network', 'harden', 'accepted', 'list',
                                '--all-projects', '--long')
            if r['Resource ID'] == resource]


def _user_id(cli):
    return cli.json('token', 'issue')['user_id']


def test_a_floating_ip_decision_covers_the_port_and_rules_it_was_made_for(
        attacker, admin, site, tmp_path):
    """Approved: SSH to the bastion through its floating IP. The member
    moves the address to a port opened to the world by two halves: the
    exposure is reported, the decision listed stale; moved back, it
    covers again; an RDP rule added to the bastion's group ends it again,
    until the admin approves the finding as it is now."""
    fip = site['fip']
    base = _baseline(admin, FIP, tmp_path, fip)
    assert _audit(admin, FIP, base)[0] == 3
    out = admin.json('network', 'harden', 'accept', FIP, fip, '--reason',
                     'bastion with MFA', '--review-in', '30')
    assert out['Action'] == 'accepted'
    assert _audit(admin, FIP, base) == (0, [])

    attacker.run('floating', 'ip', 'set', '--port', site['p-web'], fip)
    code, rows = _audit(admin, FIP, base)
    assert code == 3
    [row] = rows
    assert (row['Resource ID'], row['Severity']) == (fip, 'high')
    assert site['name'] + '-web' in row['Detail']
    [(status, request, by)] = _listed(admin, fip)
    assert status == CHANGED and by.startswith('admin (')

    attacker.run('floating', 'ip', 'set', '--port', site['p-bastion'], fip)
    assert _audit(admin, FIP, base) == (0, [])
    assert _listed(admin, fip)[0][0] == 'accepted'

    rdp = attacker.json('security', 'group', 'rule', 'create',
                        site['bastion'], '--protocol', 'tcp', '--dst-port',
                        '3389', '--remote-ip', '0.0.0.0/0')['id']
    try:
        code, rows = _audit(admin, FIP, base)
        assert code == 3 and [r['Resource ID'] for r in rows] == [fip]
        assert _listed(admin, fip)[0][0] == CHANGED
        again = admin.json('network', 'harden', 'approve', FIP, fip,
                           '--request', request)
        assert again['Action'] == 'approved'
        assert again['Approved By'] == 'admin (%s)' % _user_id(admin)
        assert _audit(admin, FIP, base) == (0, [])
        assert [s for s, _, _ in _listed(admin, fip)] == ['accepted']
    finally:
        attacker.run('security', 'group', 'rule', 'delete', rdp)
        admin.run('network', 'harden', 'revoke', FIP, fip, check=False)


def test_a_rule_decision_covers_what_its_address_group_held(
        demo, admin, site, tmp_path):
    """Approved: any protocol from an address group of two halves (a lab).
    The member puts 0.0.0.0/0 in the group instead: the critical finding
    is reported again, the decision listed stale."""
    name = site['name'] + '-ag'
    ag = demo.json('address', 'group', 'create', name, '--address',
                   '0.0.0.0/1', '--address', '128.0.0.0/1')['id']
    group = demo.json('security', 'group', 'create', name)['id']
    try:
        rule = demo.json('security', 'group', 'rule', 'create', group,
                         '--protocol', 'any', '--remote-address-group',
                         ag)['id']
        base = _baseline(admin, ANY, tmp_path, rule)
        admin.run('network', 'harden', 'accept', ANY, rule, '--reason',
                  'lab range', '--review-in', '30')
        assert _audit(admin, ANY, base) == (0, [])
        demo.run('address', 'group', 'unset', '--address', '0.0.0.0/1',
                 '--address', '128.0.0.0/1', ag)
        demo.run('address', 'group', 'set', '--address', '0.0.0.0/0', ag)
        code, rows = _audit(admin, ANY, base)
        assert code == 3
        assert [(r['Resource ID'], r['Severity']) for r in rows] == [
            (rule, 'critical')]
        assert [s for s, _, _ in _listed(admin, group)] == [CHANGED]
    finally:
        demo.run('security', 'group', 'delete', group, check=False)
        demo.run('address', 'group', 'delete', ag, check=False)


def test_approve_endorses_the_request_reviewed_and_nothing_else(
        demo, attacker, admin, site, tmp_path):
    """The member requests a decision, then adds a record of its own next
    to it (another reason, reviewed later): without the reviewed request's
    ID approve refuses and writes nothing; with it, the reviewed record is
    endorsed and the member's goes."""
    group = demo.json('security', 'group', 'create',
                      site['name'] + '-req')['id']
    try:
        rule = demo.json('security', 'group', 'rule', 'create', group,
                         '--protocol', 'tcp', '--dst-port', '22',
                         '--remote-ip', '0.0.0.0/0')['id']
        base = _baseline(admin, SSH, tmp_path, rule)
        out = demo.json('network', 'harden', 'accept', SSH, rule, '--reason',
                        'jump host', '--review-in', '30')
        assert out['Action'].startswith('requested')
        [reviewed] = [r for r in admin.json(
            'network', 'harden', 'accepted', 'list', '--all-projects',
            '--requested', '--long') if r['Item'] == rule]
        assert reviewed['Reason'] == 'jump host'
        now = datetime.datetime.now(datetime.timezone.utc)
        extra = rec.make_decision_tag(SSH, rule, now.date() +
                                      datetime.timedelta(300), now, 'admin',
                                      'approved for the year')
        attacker.run('security', 'group', 'set', '--tag', extra, group)
        before = admin.json('project', 'show', 'demo')['tags']
        proc = admin.run('network', 'harden', 'approve', SSH, rule,
                         check=False)
        last = proc.stderr.strip().splitlines()[-1]
        assert proc.returncode == 1 and 'give --request' in last
        assert reviewed['Request'] in last and 'nothing was changed' in last
        assert admin.json('project', 'show', 'demo')['tags'] == before
        out = admin.json('network', 'harden', 'approve', SSH, rule,
                         '--request', reviewed['Request'])
        assert (out['Action'], out['Reason']) == ('approved', 'jump host')
        tags = [t for t in admin.json('security', 'group', 'show',
                                      group)['tags']
                if t.startswith('xloud-acc:')]
        assert len(tags) == 1 and tags[0].endswith('reason=jump host')
        assert _audit(admin, SSH, base) == (0, [])
    finally:
        demo.run('security', 'group', 'delete', group, check=False)


def test_an_endorsement_whose_resource_is_gone_is_pruned(demo, admin,
                                                         site):
    """An accepted floating IP is deleted by its project: its endorsement
    names nothing any more; the audit counts it, `accepted prune
    --dry-run` lists it and changes nothing, prune removes it."""
    fip = demo.json('floating', 'ip', 'create', 'public')['id']
    admin.run('network', 'harden', 'accept', 'fip-unassociated', fip,
              '--reason', 'kept for DR', '--review-in', '30')
    [record] = [t for t in admin.json('floating', 'ip', 'show', fip)['tags']
                if t.startswith('xloud-acc:')]
    digest = rec.digest('floatingips', fip, record)

    def endorsed():
        return [t for t in admin.json('project', 'show', 'demo')['tags']
                if digest in t]
    assert len(endorsed()) == 1
    demo.run('floating', 'ip', 'delete', fip)
    proc = admin.run('network', 'harden', 'audit', '--all-projects', '-f',
                     'json', check=False)
    assert proc.returncode in (0, 3), proc.stderr
    assert 'naming no decision' in proc.stderr
    assert '`openstack network harden accepted prune --all-projects ' \
        '--dry-run`' in proc.stderr
    plan = admin.json('network', 'harden', 'accepted', 'prune', '--project',
                      'demo', '--dry-run')
    assert [r['Action'] for r in plan if digest in r['Endorsement']] == [
        'would be removed']
    assert len(endorsed()) == 1
    member = demo.run('network', 'harden', 'accepted', 'prune', check=False)
    assert member.returncode == 1 and 'admin role' in member.stderr
    done = admin.json('network', 'harden', 'accepted', 'prune', '--project',
                      'demo')
    assert [r['Action'] for r in done if digest in r['Endorsement']] == [
        'removed']
    assert endorsed() == []
    assert not [r for r in admin.json('network', 'harden', 'accepted',
                                      'prune', '--project', 'demo',
                                      '--dry-run')
                if digest in r['Endorsement']]
