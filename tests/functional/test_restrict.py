"""security group harden restrict / restore, through the real CLI.

Works in a project of its own with a group of world-open rules (IPv4 and
IPv6 SSH, RDP split over two halves of the IPv4 space, PostgreSQL from
an address group holding 0.0.0.0/0, HTTPS from anywhere) and a port
using it; each test starts from that group and leaves it so.
"""

import json
import os

import pytest

from tests.functional.conftest import CLI
from tests.functional.world import module_world

SSH = 'sg-ingress-ssh-from-world'
SENSITIVE = 'sg-ingress-sensitive-from-world'


world = module_world('restrict', cidr='10.93.0.0/24')


@pytest.fixture
def place(world, devcloud):
    """The world-open group, reset; an admin's CLI."""
    w = world.world_open()
    world.reset_world_open()
    name = world.conn.identity.get_project(world.project).name
    return dict(w, world=world, project=world.project, name=name,
                admin=CLI(os.path.join(devcloud, 'admin-openrc.sh')))


def _listing(place):
    return place['world'].world_listing()


def _shapes(place):
    return sorted((r['ethertype'], r['port_range_min'],
                   r['remote_ip_prefix'] or '',
                   r['remote_address_group_id'] or '')
                  for r in place['world'].group_rules(place['group'])
                  if r['direction'] == 'ingress')


def _restrict(place, *args, check=True):
    return place['admin'].run(
        'security', 'group', 'harden', 'restrict', '--project',
        place['project'], '-f', 'json', *args, check=check)


def _found(place, *checks):
    args = []
    for check in checks:
        args += ['--check', check]
    proc = place['admin'].run('network', 'harden', 'audit', '--project',
                              place['project'], '-f', 'json', *args,
                              check=False)
    return sorted(r['Resource ID'] for r in json.loads(proc.stdout))


def test_restrict_ssh_of_both_versions_then_restore(place, tmp_path):
    before, found = _listing(place), _found(place, SSH)
    assert len(found) == 2
    backup = str(tmp_path / 'b.json')
    dry = _restrict(place, '--check', SSH, '--to', '10.0.0.0/8', '--to',
                    'fd00::/8', '--backup', backup, '--dry-run')
    assert {r['Action'] for r in json.loads(dry.stdout)} == {
        'would replace with 10.0.0.0/8', 'would replace with fd00::/8'}
    assert not os.path.exists(backup) and _listing(place) == before
    assert '1 port(s) in 1 project(s) (%s) lose IPv4 tcp port 22; IPv6 ' \
        'tcp port 22 from anywhere; keep it from 10.0.0.0/8, fd00::/8' % \
        place['name'] in dry.stderr
    done = _restrict(place, '--check', SSH, '--to', '10.0.0.0/8', '--to',
                     'fd00::/8', '--backup', backup)
    assert [r['Action'] for r in json.loads(done.stdout)] == ['replaced'] * 2
    assert _found(place, SSH) == []
    shapes = _shapes(place)
    assert ('IPv4', 22, '10.0.0.0/8', '') in shapes
    assert ('IPv6', 22, 'fd00::/8', '') in shapes
    assert ('IPv4', 443, '0.0.0.0/0', '') in shapes   # not SSH
    place['admin'].run('security', 'group', 'harden', 'restore', backup)
    assert _listing(place) == before
    again = place['admin'].json('security', 'group', 'harden', 'restore',
                                backup)
    assert all(r['Action'].startswith('already present') for r in again)
    assert _listing(place) == before


def test_split_prefixes_and_address_group_rules_to_an_address_group(
        place, tmp_path):
    before = _listing(place)
    backup = str(tmp_path / 'b.json')
    done = _restrict(place, '--check', SENSITIVE, '--check', SSH,
                     '--to-address-group', 'xlf-bastions', '--project',
                     place['project'],
                     '--backup', backup)
    assert len(json.loads(done.stdout)) == 5    # ssh x2, rdp x2, postgres
    assert _found(place, SSH, SENSITIVE) == []
    assert ('IPv4', 3389, '', place['bastions']) in _shapes(place)
    place['admin'].run('security', 'group', 'harden', 'restore', backup)
    assert _listing(place) == before


def test_by_rule_id_and_an_accepted_finding_left_alone(place, tmp_path):
    admin = place['admin']
    by_prefix = {r['remote_ip_prefix']: r['id']
                 for r in place['world'].group_rules(place['group'])
                 if r['port_range_min'] == 22}
    v4, v6 = by_prefix['0.0.0.0/0'], by_prefix['::/0']
    admin.run('network', 'harden', 'accept', SSH, v6, '--reason',
              'bastion v6 by design', '--review-in', '30')
    try:
        done = _restrict(place, '--check', SSH, '--to', '10.0.0.0/8',
                         '--backup', str(tmp_path / 'b.json'))
        assert [r['Rule ID'] for r in json.loads(done.stdout)] == [v4]
        assert 'keeping rule %s' % v6 in done.stderr
        assert 'accepted (%s) until' % SSH in done.stderr
        admin.run('security', 'group', 'harden', 'restore',
                  str(tmp_path / 'b.json'))
        place['world'].reset_world_open()
        v4 = {r['remote_ip_prefix']: r['id'] for r in place['world']
              .group_rules(place['group'])
              if r['port_range_min'] == 22}['0.0.0.0/0']
        named = _restrict(place, v4, '--to', '10.0.0.0/8', '--dry-run')
        assert [r['Rule ID'] for r in json.loads(named.stdout)] == [v4]
    finally:
        admin.run('network', 'harden', 'revoke', SSH, v6, check=False)


def test_bad_input_changes_nothing(place, tmp_path):
    before = _listing(place)
    cases = [
        (('--check', SSH, '--to', '10.0.0.0/8'), 'is IPv6 and no IPv6 '
         'source was given'),
        (('--check', SSH, '--to', '0.0.0.0/1', '--to', '128.0.0.0/1'),
         'restricts nothing'),
        (('--check', SSH, '--to', 'ten/8'), 'is not an IPv4 or IPv6'),
        (('--check', SSH, '--to-address-group', place['world_ag']),
         'restricts nothing'),
        (('--to', '10.0.0.0/8'), 'name the rules to restrict'),
        (('--check', SSH, '--to-address-group', 'nope'), 'nope'),
    ]
    for args, why in cases:
        proc = _restrict(place, *args, check=False)
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1 and why in lines[-1], (args,
                                                           proc.stderr)
        assert 'Traceback' not in proc.stderr
    assert _listing(place) == before


def test_an_edited_backup_is_refused_before_anything_changes(
        place, tmp_path):
    backup = str(tmp_path / 'b.json')
    _restrict(place, '--check', SSH, '--to', '10.0.0.0/8', '--to',
              'fd00::/8', '--backup', backup)
    with open(backup) as f:
        data = json.load(f)
    after = _listing(place)
    data['rules'][0]['rule']['port_range_min'] = 1      # a wider rule
    edited = str(tmp_path / 'edited.json')
    with open(edited, 'w') as f:
        json.dump(data, f)
    proc = place['admin'].run('security', 'group', 'harden', 'restore',
                              edited, check=False)
    assert proc.returncode == 1
    assert 'digest does not match' in proc.stderr.strip().splitlines()[-1]
    assert _listing(place) == after
    place['admin'].run('security', 'group', 'harden', 'restore', backup)


def test_the_audits_remediation_is_the_plan_once_the_source_is_given(
        place):
    import shlex

    rows = json.loads(place['admin'].run(
        'network', 'harden', 'audit', '--project', place['project'],
        '--check', SSH, '-f', 'json', check=False).stdout)
    # the SSH rules only: HTTPS from 0.0.0.0/0 is in the group too (the
    # order Neutron lists them in made this pick either, at random)
    by_prefix = {r['remote_ip_prefix']: r['id']
                 for r in place['world'].group_rules(place['group'])
                 if r['port_range_min'] == 22}
    [row] = [r for r in rows if r['Resource ID'] == by_prefix['0.0.0.0/0']]
    argv = shlex.split(row['Remediation'])
    assert argv[:5] == ['openstack', 'security', 'group', 'harden',
                        'restrict'] and argv[-1] == '--dry-run'
    as_given = place['admin'].run(*argv[1:], check=False)
    assert as_given.returncode == 1
    assert "<management-cidr> is not an IPv4 or IPv6 prefix" in \
        as_given.stderr.strip().splitlines()[-1]
    argv[argv.index('<management-cidr>')] = '10.0.0.0/8'
    before = _listing(place)
    plan = place['admin'].run(*argv[1:], '-f', 'json')
    assert [r['Rule ID'] for r in json.loads(plan.stdout)] == [
        by_prefix['0.0.0.0/0']]
    assert _listing(place) == before
