"""What a decision names per check (a finding's basis): a change of what
the verdict depends on changes the basis, so the endorsement no longer
covers the finding; a change that does not matter (a name) keeps it."""

import copy
import datetime

import pytest

from tests.unit.audit.checks.helpers import rule
from tests.unit.audit.checks.helpers import run
from tests.unit import endorse
from xloudclient.audit import accepted
from xloudclient.audit.inventory import Inventory
from xloudclient.audit.settings import Settings
from xloudclient.harden import decisions
from xloudclient import records as rec

TODAY = Settings().today


def _port(pid, sgs, **kw):
    return dict({'id': pid, 'name': pid, 'project_id': 'p',
                 'network_id': 'n', 'port_security_enabled': True,
                 'security_groups': sgs, 'device_owner': 'compute:nova',
                 'fixed_ips': [{'ip_address': '10.0.0.%d' % len(pid)}],
                 'allowed_address_pairs': []}, **kw)


def _world():
    """A bastion behind a floating IP (SSH from anywhere), a web port
    opened to the world by two rules each admitting half of IPv4, and an
    address group the bastion's rule names."""
    return dict(
        security_groups=[{'id': g, 'name': g, 'project_id': 'p'}
                         for g in ('bastion', 'halves', 'ag')],
        security_group_rules=[
            rule('ssh', security_group_id='bastion', port_range_min=22,
                 port_range_max=22),
            rule('low', security_group_id='halves',
                 remote_ip_prefix='0.0.0.0/1'),
            rule('high', security_group_id='halves',
                 remote_ip_prefix='128.0.0.0/1'),
            rule('from-ag', security_group_id='ag', protocol=None,
                 remote_ip_prefix=None, remote_address_group_id='agx')],
        address_groups=[{'id': 'agx', 'name': 'agx', 'project_id': 'p',
                         'addresses': ['0.0.0.0/0']}],
        ports=[_port('bastion', ['bastion']), _port('web', ['halves']),
               _port('any', ['ag'])],
        floatingips=[{'id': 'fip', 'floating_ip_address': '203.0.113.5',
                      'project_id': 'p', 'port_id': 'bastion',
                      'fixed_ip_address': '10.0.0.7'}],
        networks=[{'id': 'n', 'name': 'n', 'project_id': 'p'}])


def _basis(check, world, resource):
    found = [f for f in run(check, **copy.deepcopy(world))
             if f.resource_id == resource]
    assert len(found) == 1, found
    return found[0].basis


def _changed(world, change):
    world = copy.deepcopy(world)
    change(world)
    return world


def _by_id(items, rid):
    return next(i for i in items if i['id'] == rid)


FIP = 'fip-exposes-sensitive-port'


def test_a_floating_ip_decision_names_the_port_behind_it_and_the_rules():
    world = _world()
    before = _basis(FIP, world, 'fip')
    assert 'bastion' in before and 'ssh' in before
    renamed = _changed(world, lambda w: w['ports'][0].update(name='x'))
    assert _basis(FIP, renamed, 'fip') == before

    def moved(w):
        _by_id(w['floatingips'], 'fip').update(
            port_id='web', fixed_ip_address='10.0.0.3')
    assert _basis(FIP, _changed(world, moved), 'fip') != before

    def rdp_too(w):
        w['security_group_rules'].append(rule(
            'rdp', security_group_id='bastion', port_range_min=3389,
            port_range_max=3389))
    assert _basis(FIP, _changed(world, rdp_too), 'fip') != before


def test_a_rule_decision_names_what_its_address_group_holds():
    world = _world()
    check = 'sg-ingress-any-from-world'
    before = _basis(check, world, 'from-ag')

    def halves(w):
        _by_id(w['address_groups'], 'agx')['addresses'] = [
            '0.0.0.0/1', '128.0.0.0/1']
    assert _basis(check, _changed(world, halves), 'from-ag') != before
    same = _changed(world, lambda w: _by_id(
        w['address_groups'], 'agx').update(name='renamed'))
    assert _basis(check, same, 'from-ag') == before


def test_a_rule_decision_names_the_rules_that_open_the_group_with_it():
    world = _world()
    check = 'sg-ingress-sensitive-from-world'
    before = _basis(check, world, 'low')
    assert 'high' in before

    def replaced(w):
        w['security_group_rules'] = [
            r for r in w['security_group_rules'] if r['id'] != 'high'] + [
            rule('high2', security_group_id='halves',
                 remote_ip_prefix='128.0.0.0/1')]
    assert _basis(check, _changed(world, replaced), 'low') != before


def test_a_port_exposure_names_its_addresses_and_rules():
    world = _world()
    world['networks'].append({'id': 'ext', 'name': 'ext',
                              'project_id': 'admin', 'router:external': True})
    world['ports'].append(_port('edge', ['bastion'], network_id='ext',
                                fixed_ips=[{'ip_address': '198.51.100.9'}]))
    check = 'port-exposes-sensitive-port'
    before = _basis(check, world, 'edge')

    def regrouped(w):
        _by_id(w['ports'], 'edge')['security_groups'] = ['halves']
    assert _basis(check, _changed(world, regrouped), 'edge') != before


def test_a_pair_bypass_names_the_rules_that_let_it_in():
    world = _world()
    world['ports'].append(_port('vrrp', ['bastion'], allowed_address_pairs=[
        {'ip_address': '10.0.0.0/24'}]))
    world['security_group_rules'].append(rule(
        'peer', security_group_id='web', remote_ip_prefix=None,
        remote_group_id='bastion'))
    check = 'aap-remote-group-bypass'
    before = _basis(check, world, 'vrrp')
    world['security_group_rules'].append(rule(
        'peer2', security_group_id='ag', remote_ip_prefix=None,
        remote_group_id='bastion'))
    assert _basis(check, world, 'vrrp') != before


@pytest.mark.parametrize('check, resource, change', [
    ('network-shared-all-projects', 'n',
     lambda w: _by_id(w['networks'], 'n').update(
         port_security_enabled=False)),
    ('router-external-gateway', 'r',
     lambda w: w['routers'][0]['external_gateway_info'].update(
         network_id='other')),
])
def test_a_graded_finding_names_what_grades_it(check, resource, change):
    world = _world()
    world['networks'][0]['shared'] = True
    world['rbac_policies'] = []
    world['routers'] = [{'id': 'r', 'name': 'r', 'project_id': 'p',
                         'external_gateway_info': {'network_id': 'n'}}]
    before = _basis(check, world, resource)
    assert _basis(check, _changed(world, change), resource) != before


def _audited(world, endorsed_world):
    """The findings of world with every record endorsed as the admin
    approved it in endorsed_world (split as the audit does)."""
    inv = Inventory(**copy.deepcopy(world))
    approved = Inventory(**copy.deepcopy(endorsed_world))
    inv.endorsements = endorse.of_inventory(approved)
    findings = run(FIP, **copy.deepcopy(world))
    return accepted.split(findings, inv, TODAY), inv, findings


def test_a_decision_stops_covering_when_its_finding_changes():
    """The admin approves SSH to the bastion through its floating IP; the
    member moves the address to the web port (open to the world by two
    halves): the exposure is reported and the decision listed stale."""
    world = _world()
    tag = rec.make_decision_tag(FIP, '', TODAY + datetime.timedelta(30),
                                datetime.datetime.now(datetime.timezone.utc),
                                'admin', 'bastion with MFA')
    world['floatingips'][0]['tags'] = [tag]
    (shown, quiet), _, _ = _audited(world, world)
    assert shown == [] and [f.resource_id for f, _ in quiet] == ['fip']

    moved = _changed(world, lambda w: w['floatingips'][0].update(
        port_id='web', fixed_ip_address='10.0.0.3'))
    (shown, quiet), inv, findings = _audited(moved, world)
    assert [f.resource_id for f in shown] == ['fip'] and quiet == []
    assert shown[0].remediation.endswith('rule delete high low')
    [row] = decisions.list_decisions(inv, findings, TODAY)
    assert row.status == decisions.CHANGED
