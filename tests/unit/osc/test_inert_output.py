"""Property: whatever a project writes in names and tags, every output
format of every listing command shows it inert (issue 18).

Names and tag texts are drawn from every C0 and C1 control, DEL, the
bidirectional overrides and isolates, zero-width and line separators,
quotes, backslashes, shell metacharacters, "%", newlines and 255-character
strings. Then, for each command and format: no character that is not
printable reaches a table, value, csv or shell line (only the newlines
that end lines), one row stays one line, the machine formats carry the
text exactly, and every remediation splits (shlex) into the arguments it
was built from.
"""

import csv
import datetime
import io
import json
import random
import shlex
import urllib.parse
import xml.etree.ElementTree as ElementTree

import yaml

from tests.unit.fake_collections import FakeCollections
from tests.unit.fake_keystone import FakeKeystone
from tests.unit.osc import harness
from xloudclient import exception_record as rec
from xloudclient import inert_text
from xloudclient.osc import audit
from xloudclient.osc import decisions
from xloudclient.osc import port_security
from xloudclient.osc import vip

ROUNDS = 12
HOSTILE = ([chr(c) for c in range(0x20)] + ['\x7f'] +
           [chr(c) for c in range(0x80, 0xa0)] +
           ['\u202e', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069',
            '\u200b', '\u2028', '\u2029', '\ufeff', '\xa0'] +
           list('\'"`\\%$;|&<>(){}*?!#~ ') +
           ['\x1b[2J', '\x1b]0;pwned\x07', '\r\n', '%1B', '$(id)'])
PLAIN = list('abcxyz019-_.') + ['é', '日']
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
FIGURES = {'strings': 0, 'outputs': 0, 'remediations': 0}


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
    cloud = FakeCollections(
        extensions=['port-security', 'security-group', 'router',
                    'allowed-address-pairs', 'standard-attr-tag'],
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
    (audit.AuditNetwork, ['--all-projects']),
    (audit.AuditNetwork, ['--all-projects', '--long']),
    (decisions.ListAccepted, ['--all-projects', '--long']),
    (port_security.ListPortSecurityExceptions, ['--all-projects']),
    (vip.ListVips, ['--all-projects', '--long']),
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
        assert len(list(csv.reader(io.StringIO(out)))) == rows + 1
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
            if command is audit.AuditNetwork:
                _remediations(rows, item)
                for fmt in REPORTS:
                    shown = harness.run(command, argv + ['-f', fmt], cloud)
                    assert not [c for c in _raw_controls(shown.out)
                                if c != '\t'], fmt
                    if fmt == 'junit':
                        ElementTree.fromstring(shown.out)
                    FIGURES['outputs'] += 1
    print('inert output: %(strings)d strings tried, %(outputs)d outputs '
          'checked, %(remediations)d remediations round-tripped' % FIGURES)


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
    shown = harness.run(audit.AuditNetwork,
                        ['--all-projects', '-f', 'table'], cloud)
    assert shown.code == 3
    assert '\x1b' not in shown.out + shown.err
    assert '\\x1b[2J\\x1b[H\\x1b]0;ok\\x07 rule' in shown.out
    assert 'sg-ingress-ssh-from-world' in shown.out
