"""Values as Neutron reads them (xloudclient/audit/values.py).

A property, judged by Neutron's own code: every spelling of an allowed
address pair and of a rule's protocol that Neutron accepts (its validators
and converters, run in the devcloud's virtualenv by neutron_spellings.py)
gives the audit's findings of its canonical form. Then through the real
CLI: what the demo member writes in such spellings is reported to the
admin as its canonical form would be.
"""

import collections
import json
import os
import subprocess
import time

from tests.functional import figures
from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory
from xloudclient.audit.settings import Settings

HERE = os.path.dirname(os.path.abspath(__file__))
SEED, NETWORKS = 20261206, 400
PAIR_CHECKS = ('aap-any-address', 'aap-wide-prefix', 'aap-remote-group-bypass',
               'value-unreadable')
RULE_CHECKS = ('sg-ingress-any-from-world', 'sg-ingress-ssh-from-world',
               'sg-ingress-sensitive-from-world', 'value-unreadable')


def _spellings(devcloud):
    venv = os.environ.get('XLOUD_DEVCLOUD_VENV',
                          os.path.join(devcloud, 'venv'))
    proc = subprocess.run(
        [os.path.join(venv, 'bin', 'python'), '-W', 'ignore',
         os.path.join(HERE, 'neutron_spellings.py'), str(SEED),
         str(NETWORKS)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _findings(checks, **resources):
    """{(check, resource ID, severity): count} over the inventory."""
    found = collections.Counter()
    inventory = Inventory(**resources)
    settings = Settings()
    for chk in catalog.all_checks():
        if chk.id in checks:
            for f in chk.run(inventory, settings):
                found[(f.check, f.resource_id, f.severity)] += 1
    return found


def _pair_world(pairs, which):
    """One port per pair, in a group a rule of another group names as its
    remote (so the bypass check judges every pair)."""
    ports = [{'id': 'port-%d' % i, 'name': '', 'project_id': 'p',
              'security_groups': ['members'],
              'allowed_address_pairs': [{'ip_address': pair[which]}]}
             for i, pair in enumerate(pairs)]
    rules = [{'id': 'ref', 'security_group_id': 'web', 'direction': 'ingress',
              'ethertype': 'IPv4', 'protocol': 'tcp', 'port_range_min': 80,
              'port_range_max': 80, 'remote_group_id': 'members',
              'remote_ip_prefix': None, 'remote_address_group_id': None}]
    return dict(ports=ports, security_group_rules=rules, security_groups=[
        {'id': g, 'name': g, 'project_id': 'p'} for g in ('web', 'members')])


def _rule_world(protocols, which, ethertype, remote):
    rules = []
    for i, pair in enumerate(protocols):
        for ports in ((None, None), (22, 22), (3389, 3389), (1, 65535)):
            if pair[which] is None and ports != (None, None):
                continue            # Neutron refuses ports without protocol
            rules.append({
                'id': 'rule-%d-%s' % (i, ports[0]), 'security_group_id': 'g',
                'direction': 'ingress', 'ethertype': ethertype,
                'protocol': pair[which], 'port_range_min': ports[0],
                'port_range_max': ports[1], 'remote_ip_prefix': remote,
                'remote_group_id': None, 'remote_address_group_id': None})
    return dict(security_group_rules=rules, security_groups=[
        {'id': 'g', 'name': 'g', 'project_id': 'p'}])


def test_every_spelling_neutron_accepts_gives_the_canonical_findings(
        devcloud):
    started = time.monotonic()
    found = _spellings(devcloud)
    pairs, protocols = found['pairs'], found['protocols']
    assert len(pairs) > 1000 and len(protocols) > 300, (len(pairs),
                                                        len(protocols))
    spelled = [p for p in pairs if p[0] != p[1]]
    compared = 0
    canonical = _findings(PAIR_CHECKS, **_pair_world(pairs, 0))
    assert canonical == _findings(PAIR_CHECKS, **_pair_world(pairs, 1))
    compared += sum(canonical.values())
    assert not [k for k in canonical if k[0] == 'value-unreadable']
    for ethertype, remote in (('IPv4', '0.0.0.0/0'), ('IPv6', '::/0')):
        canonical = _findings(RULE_CHECKS, **_rule_world(
            protocols, 0, ethertype, remote))
        assert canonical == _findings(RULE_CHECKS, **_rule_world(
            protocols, 1, ethertype, remote))
        assert not [k for k in canonical if k[0] == 'value-unreadable']
        compared += sum(canonical.values())
    names = [p for p in protocols if p[1] is not None and not
             p[1].isdigit()]
    figures.record(
        'values: %d values tried by Neutron\'s validators, %d accepted '
        '(%d address pairs, %d of them not canonical; %d protocols, %d by '
        'name); %d findings compared, all equal, in %.1f s'
        % (found['tried'], len(pairs) + len(protocols), len(pairs),
           len(spelled), len(protocols), len(names), compared,
           time.monotonic() - started))


def test_spellings_a_member_writes_are_reported_as_their_canonical_form(
        admin, demo, unique, cleanup):
    """The demo member writes an address pair in netmask form and rules
    with protocol 0 by its names: the admin's audit reports each as it
    reports fd00::/16 and protocol 'any'."""
    net = demo.json('network', 'create', unique)['id']
    cleanup.append((demo, 'network', 'delete', net))
    demo.run('subnet', 'create', unique, '--network', net, '--ip-version',
             '6', '--subnet-range', 'fd00:77::/64')
    port = demo.json('port', 'create', unique, '--network', net,
                     '--allowed-address', 'ip-address=FD00::/ffff::',
                     '--allowed-address', 'ip-address=fd00:77::/+120')['id']
    cleanup.append((demo, 'port', 'delete', port))
    group = demo.json('security', 'group', 'create', unique)['id']
    cleanup.append((demo, 'security', 'group', 'delete', group))
    rules = {}
    for protocol in ('hopopt', 'IP'):
        rules[protocol] = demo.json(
            'security', 'group', 'rule', 'create', group, '--protocol',
            protocol, '--remote-ip', '0.0.0.0/0')['id']
    stored = {demo.json('security', 'group', 'rule', 'show', r)['protocol']
              for r in rules.values()}
    assert stored == {'hopopt', 'ip'}       # kept by name, lower-cased
    proc = admin.run('network', 'harden', 'audit', '--all-projects', '-f',
                     'json', '--check', 'aap-wide-prefix', '--check',
                     'sg-ingress-any-from-world', '--check',
                     'value-unreadable', check=False)
    assert proc.returncode == 3, proc.stderr
    found = {(f['Check'], f['Resource ID'], f['Detail Key'] or '',
              f['Severity']) for f in json.loads(proc.stdout)
             if f['Resource ID'] in [port] + list(rules.values())}
    assert found == {
        ('aap-wide-prefix', port, 'FD00::/ffff::', 'medium'),
        ('sg-ingress-any-from-world', rules['hopopt'], '', 'critical'),
        ('sg-ingress-any-from-world', rules['IP'], '', 'critical')}
    pair = [f for f in json.loads(proc.stdout) if f['Resource ID'] == port]
    assert '(%d addresses)' % 2 ** 112 in pair[0]['Detail']   # a /16
