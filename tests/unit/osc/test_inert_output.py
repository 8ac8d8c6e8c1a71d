"""Property: whatever a project writes in names and tags, every output
format of every listing command shows it inert (issue 18).

Names and tag texts are drawn from every C0 and C1 control, DEL, the
bidirectional overrides and isolates, zero-width and line separators,
quotes, backslashes, shell metacharacters, "%", newlines and 255-character
strings. Then, for each command and format: no character that is not
printable reaches a table, value, csv or shell line (only the newlines
that end lines), no csv cell starts a spreadsheet formula, one row stays
one line, the machine formats carry the
text exactly, and every remediation splits (shlex) into the arguments it
was built from.
"""

import csv
import datetime
import io
import json
import random
import re
import shlex
import urllib.parse
import xml.etree.ElementTree as ElementTree

import yaml

from tests.unit.clouds import FakeNeutron
from tests.unit.clouds import FakeKeystone
from tests.unit.osc import harness
from xloudclient import inert_text
from xloudclient.osc import audit_commands
from xloudclient.osc import decision_commands
from xloudclient.osc import port_security_commands
from xloudclient.osc import vip_commands
from xloudclient import records as rec

SSH = 'sg-ingress-ssh-from-world'

ROUNDS = 12
HOSTILE = ([chr(c) for c in range(0x20)] + ['\x7f'] +
           [chr(c) for c in range(0x80, 0xa0)] +
           ['\u202e', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069',
            '\u200b', '\u2028', '\u2029', '\ufeff', '\xa0'] +
           list('\'"`\\%$;|&<>(){}*?!#~ ') +
           ['\x1b[2J', '\x1b]0;pwned\x07', '\r\n', '%1B', '$(id)'] +
           ['=', '+', '-', '@', '=HYPERLINK("http://x.example","open")',
            '@SUM(1+1)*cmd|\' /C calc\'!A0', '+1-2'])
PLAIN = list('abcxyz019-_.') + ['é', '日']
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
FIGURES = {'strings': 0, 'outputs': 0, 'remediations': 0, 'csv cells': 0}


def _text(rng, length=None):
    length = length or rng.choice((1, 3, 8, 20, 64, 255))
    out = []
    while len(''.join(out)) < length:
        out.append(rng.choice(HOSTILE if rng.random() < 0.5 else PLAIN))
    FIGURES['strings'] += 1
    return ''.join(out)[:length]


def _reason(rng):
    """A reason a record may hold (plain text, no controls)."""
    text = ''.join(c for c in _text(rng, 40)
                   if c.isprintable() and c not in '\u202e\u2066') or 'x'
    return text.strip() or 'x'


def _cloud(rng):
    names = [_text(rng) for _ in range(8)]
    item = _text(rng, 30)
    forged = ('xloud-acc:v1 check=sg-ingress-ssh-from-world item=%s '
              'review=2020-01-01 granted=20191201T000000Z-abcd by=%s '
              'reason=%s' % (urllib.parse.quote(item, safe=''),
                             urllib.parse.quote(_reason(rng)[:12], safe=''),
                             urllib.parse.quote(_reason(rng), safe='')))
    psx = rec.make_tag(NOW.date() + datetime.timedelta(days=30), NOW,
                       _reason(rng), (), _reason(rng))
    cloud = FakeNeutron(
        extensions=['port-security', 'security-group', 'router',
                    'allowed-address-pairs', 'standard-attr-tag', 'quotas'],
        networks=[{'id': 'n1', 'name': names[0], 'project_id': 'p',
                   'port_security_enabled': False, 'tags': []}],
        subnets=[],
        ports=[{'id': 'p1', 'name': names[1], 'project_id': 'p',
                'network_id': 'n1', 'port_security_enabled': False,
                'device_owner': 'network:' + names[2][:20],
                'security_groups': [], 'fixed_ips': [],
                'allowed_address_pairs': [{'ip_address': '0.0.0.0/0'}],
                'tags': [psx, names[3]]},
               {'id': 'p2', 'name': names[4], 'project_id': 'p',
                'network_id': 'n1', 'port_security_enabled': True,
                'device_owner': '', 'security_groups': ['g1'],
                'fixed_ips': [{'ip_address': '10.0.0.100'}],
                'allowed_address_pairs': [{'ip_address': '10.0.0.100'}],
                'tags': []}],
        security_groups=[{'id': 'g1', 'name': names[5], 'project_id': 'p',
                          'tags': [forged, 'xloud-acc:v1 ' + names[6]]}],
        security_group_rules=[{
            'id': 'r1', 'security_group_id': 'g1', 'project_id': 'p',
            'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
            'port_range_min': 22, 'port_range_max': 22,
            'remote_ip_prefix': '0.0.0.0/0', 'remote_group_id': None,
            'remote_address_group_id': None, 'description': names[7]}],
        routers=[{'id': 'rt', 'name': names[6], 'project_id': 'p',
                  'tags': [], 'external_gateway_info': {
                      'network_id': 'n1', 'enable_snat': False}}],
        floatingips=[], address_groups=[], rbac_policies=[])
    cloud.keystone = FakeKeystone(('p',))
    cloud.keystone.data['p']['name'] = _text(rng, 16)
    return cloud, item


RUNS = [
    (audit_commands.AuditNetwork, ['--all-projects']),
    (audit_commands.AuditNetwork, ['--all-projects', '--long']),
    (decision_commands.ListAccepted, ['--all-projects', '--long']),
    (port_security_commands.ListPortSecurityExceptions, ['--all-projects']),
    (vip_commands.ListVips, ['--all-projects', '--long']),
]
TEXT = ('table', 'value', 'csv')
MACHINE = ('json', 'yaml')
REPORTS = ('html', 'junit', 'openmetrics')


def _raw_controls(text):
    return [c for c in text if not c.isprintable() and c != '\n']


def _check_text(fmt, out, rows):
    assert not _raw_controls(out), (fmt, _raw_controls(out)[:5])
    lines = out.splitlines()
    if fmt == 'value':
        assert len(lines) == rows
    elif fmt == 'csv':
        assert len(lines) == rows + 1
        cells = list(csv.reader(io.StringIO(out)))
        assert len(cells) == rows + 1
        # no cell a spreadsheet would run as a formula (OWASP); a number
        # (days left: -12) is a number
        formulas = [c for row in cells for c in row
                    if c.startswith(inert_text.FORMULA_STARTS) and
                    not re.fullmatch(r'-[0-9]+', c)]
        assert not formulas, formulas[:3]
        FIGURES['csv cells'] += sum(len(row) for row in cells)
    elif rows:                      # table: borders, header, one per row
        assert len(lines) == rows + 4, out


def test_every_output_of_every_listing_is_inert():
    rng = random.Random(18)
    for _ in range(ROUNDS):
        cloud, item = _cloud(rng)
        for command, argv in RUNS:
            machine = harness.run(command, argv + ['-f', 'json'], cloud)
            assert machine.code in (0, 3), machine.error
            rows = json.loads(machine.out)
            assert not _raw_controls(machine.out + machine.err)
            FIGURES['outputs'] += 1
            for fmt in TEXT:
                shown = harness.run(command, argv + ['-f', fmt], cloud)
                _check_text(fmt, shown.out, len(rows))
                assert not _raw_controls(shown.err)
                FIGURES['outputs'] += 1
            for fmt in MACHINE[1:]:
                shown = harness.run(command, argv + ['-f', fmt], cloud)
                assert yaml.safe_load(shown.out) == rows
                FIGURES['outputs'] += 1
            if command is audit_commands.AuditNetwork:
                _remediations(rows, item)
                for fmt in REPORTS:
                    shown = harness.run(command, argv + ['-f', fmt], cloud)
                    assert not [c for c in _raw_controls(shown.out)
                                if c != '\t'], fmt
                    if fmt == 'junit':
                        ElementTree.fromstring(shown.out)
                    FIGURES['outputs'] += 1
    print('inert output: %(strings)d strings tried, %(outputs)d outputs '
          'checked, %(remediations)d remediations round-tripped, '
          '%(csv cells)d csv cells none a formula' % FIGURES)


def _remediations(rows, item):
    """Every remediation splits into its arguments; the forged decision's
    item comes back as one argument, exactly."""
    named = False
    for row in rows:
        argv = shlex.split(row['Remediation'])
        assert argv[0] == 'openstack'
        assert inert_text.command(*argv) == row['Remediation']
        FIGURES['remediations'] += 1
        if row['Check'] == 'accepted-request-pending' and \
                row['Resource ID'] == 'g1':
            assert argv[:6] == ['openstack', 'network', 'harden',
                                'approve', 'sg-ingress-ssh-from-world',
                                item]
            named = True
    assert named


def test_a_name_that_clears_the_screen_cannot_hide_a_finding():
    """Attack 6: one name wiped the header, the summary and a real SSH
    finding off the admin's screen."""
    cloud, _ = _cloud(random.Random(1))
    cloud.data['security-groups'][0]['name'] = '\x1b[2J\x1b[H\x1b]0;ok\x07'
    shown = harness.run(audit_commands.AuditNetwork,
                        ['--all-projects', '-f', 'table'], cloud)
    assert shown.code == 3
    assert '\x1b' not in shown.out + shown.err
    assert '\\x1b[2J\\x1b[H\\x1b]0;ok\\x07 rule' in shown.out
    assert 'sg-ingress-ssh-from-world' in shown.out


def _bash_values(out):
    """What `eval "$(openstack ... -f shell)"` sets, read back by a real
    bash (with a trap: a command substitution that ran would leave a
    file)."""
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        script = ('cd %s; eval "$SHELL_OUT"; for v in $(compgen -v | grep '
                  "-E '^[a-z_]+$'); do printf '%%s\\0%%s\\0' \"$v\" "
                  '"${!v}"; done' % tmp)
        proc = subprocess.run(['bash', '-c', script], capture_output=True,
                              env={'SHELL_OUT': out, 'PATH': os.defpath},
                              check=True)
        assert os.listdir(tmp) == []            # nothing was executed
    fields = proc.stdout.decode().split('\0')
    return dict(zip(fields[::2], fields[1::2]))


def _port_cloud(rng):
    """A Neutron whose port p1 (looked up as "fw") has a hostile name
    (set after the lookup: the fake finds ports by name) and a hostile
    but well-formed exception record."""
    from tests.unit.harden import port_security_cases as base

    ports = base._cloud()
    ports.hostile = _text(rng)
    ports.ports['p1']['tags'].append(rec.make_tag(
        NOW.date() + datetime.timedelta(days=30), NOW, _reason(rng),
        [base.SG1], _reason(rng)))
    real = ports.get

    def get(path, params=None, **kw):
        resp = real(path, params=params, **kw)
        if path == '/ports/p1':            # shown under its hostile name
            ports.ports['p1']['name'] = ports.hostile
            resp = real(path, params=params, **kw)
            ports.ports['p1']['name'] = 'fw'
        return resp
    ports.get = get
    return ports


def _but_now(row):
    """A row without its grant time (a dry run's is now, to the second:
    two runs a second apart differ there)."""
    return {k: v for k, v in row.items() if k != 'Granted'}


def test_every_output_of_every_single_item_command_is_inert():
    """accept, approve and revoke (dry runs, on the forged decision),
    port security disable and enable (dry runs): table, value, shell
    (evaluated by bash), json and yaml."""
    rng = random.Random(81)
    checked = 0
    for _ in range(ROUNDS):
        cloud, item = _cloud(rng)
        name = cloud.data['security-groups'][0]['name']
        rule_decision = rec.make_decision_tag(
            'sg-ingress-ssh-from-world', 'r1', NOW.date() +
            datetime.timedelta(days=30), NOW, _reason(rng), _reason(rng))
        cloud.data['security-groups'][0]['tags'].append(rule_decision)
        runs = [
            (decision_commands.AcceptFinding,
             [SSH, 'r1', '--reason', 'x', '--renew', '--dry-run']),
            (decision_commands.ApproveFinding, [
                SSH, 'r1', '--dry-run', '--request', rec.request_id(
                    'security_groups', cloud.data['security-groups'][0]['id'],
                    rule_decision)]),
            (decision_commands.RevokeFinding, [SSH, 'r1', '--dry-run']),
        ]
        ports = _port_cloud(rng)
        runs += [(port_security_commands.DisablePortSecurity,
                  ['fw', '--reason', 'x', '--dry-run'], ports),
                 (port_security_commands.EnablePortSecurity,
                  ['fw', '--dry-run'], ports)]
        for command, argv, *other in runs:
            target = other[0] if other else cloud
            machine = harness.run(command, argv + ['-f', 'json'], target)
            assert machine.code == 0, (command, machine.error)
            row = json.loads(machine.out)
            yaml_row = yaml.safe_load(harness.run(
                command, argv + ['-f', 'yaml'], target).out)
            assert _but_now(yaml_row) == _but_now(row)
            for fmt in ('table', 'value', 'shell'):
                shown = harness.run(command, argv + ['-f', fmt], target).out
                assert not _raw_controls(shown), (command, fmt)
                if fmt == 'value':
                    assert len(shown.splitlines()) == len(row)
                if fmt == 'shell':
                    values = _bash_values(shown)
                    for key, value in row.items():
                        if key == 'Granted':    # now, to the second
                            continue
                        var = key.lower().replace(' ', '_')
                        text = value if isinstance(value, str) else \
                            ', '.join(value) if isinstance(value, list) \
                            else str(value)
                        assert values[var] == inert_text.visible(text), key
                checked += 1
            if target is ports:          # the hostile name was shown
                assert row['Name'] == ports.hostile
            else:
                assert row['Resource'] in (name + ' rule', 'r1')
    FIGURES['outputs'] += checked
    print('inert single-item output: %d outputs checked' % checked)
