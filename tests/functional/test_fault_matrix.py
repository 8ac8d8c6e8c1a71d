"""Every changing command x every fault kind x every request it makes.

The real `openstack` shell (run in-process, see inproc.py) reaches the
devcloud's Neutron through a fault-injecting proxy (faultproxy.py). For
each command: reset the cloud to the command's before state, run it once
to count its requests and learn its after state; then for every fault family
(faultproxy.FAMILIES) and every request index k: reset, arm the proxy at
k, run the command and check the invariant:

  the cloud is exactly in the before or the after state, or the command
  exited non-zero and its last line names the `openstack ...` command that
  finishes or undoes what is left;

then rerun it without faults: it must converge to the after state (or,
when the rerun cannot and the faulted run named `finish with ...`, the
command it named must). A faulted run that exited 0 and left the after
state is not rerun: that rerun (from the after state) is checked once,
after the clean run. Nor is one faulted at a read before the command's
first write that left the before state: nothing was written, its rerun
is the clean run.

A read (GET) changes nothing and Neutron answers none with 409 or 412:
there, a 409 or 412 is not injected, nor a 500 after forwarding (to the
client, the 500 the 5xx family injects at the same request).
"""

import datetime
import os
import re
import shlex

import pytest

from tests.functional.conftest import read_openrc
from tests.functional.faultproxy import FaultProxy
from tests.functional.faultproxy import FAMILIES
from tests.functional import figures
from tests.functional.inproc import InProcessCLI
from tests.functional.world import neutron_port
from tests.functional.world import module_world
from xloudclient import records as rec

# OS_API_TIMEOUT for the command under test: a timeout-after fault costs
# it this long, but a request that is merely slow must not time out (2 s
# did, on a 2-core machine running both streams: CI's run of stop 20).
TIMEOUT = 5
VIP = '10.91.0.200'
REASON = 'fault matrix appliance'


world = module_world('faults')


@pytest.fixture(scope='module')
def proxy(devcloud):
    running = FaultProxy(neutron_port(), timeout_delay=TIMEOUT + 1.5,
                         max_lifetime=3600)
    yield running
    running.stop()


@pytest.fixture(scope='module')
def cli(world, proxy):
    tool = InProcessCLI(read_openrc(world.openrc),
                        OS_NETWORK_ENDPOINT_OVERRIDE=proxy.url,
                        OS_API_TIMEOUT=str(TIMEOUT),
                        XDG_STATE_HOME=str(world.tmp))
    proxy.arm()
    tool.run('port', 'security', 'exception', 'list')   # discovery cached
    world.matrix_cli = tool         # for resets that run a command
    yield tool
    _template_absent(world)         # every group created later is clean


# --- the commands: argv, before state, state ------------------------------

def _ps_state(world):
    port = world.port(world.p1)
    records = rec.records_in(port['tags'])[0]
    return (port['port_security_enabled'], sorted(port['security_groups']),
            sorted(('pending' if r.pending else 'confirmed', r.reason)
                   for r in records),
            sorted(t for t in port['tags'] if not rec.is_record_tag(t)))


def _ps_enabled(world):
    world.set_port(world.p1, ['keep-me'], port_security_enabled=True,
                   security_groups=[world.default, world.group])


def _ps_disabled(world):
    now = datetime.datetime.now(datetime.timezone.utc) - \
        datetime.timedelta(minutes=1)
    record = rec.make_tag(datetime.date.today() + datetime.timedelta(30),
                          now, 'admin', [world.default, world.group], REASON)
    world.set_port(world.p1, [], port_security_enabled=False,
                   security_groups=[])
    world.set_port(world.p1, ['keep-me', record])


def _vip_state(world):
    pairs = {pid: sorted(p['ip_address'] for p in world.port(pid)[
        'allowed_address_pairs']) for pid in (world.va, world.vb)}
    return pairs, sorted((p['name'], p['fixed_ips'][0]['ip_address'])
                         for p in world.reservations())


def _vip_absent(world):
    for pid in (world.va, world.vb):
        world._put('/ports/' + pid, {'port': {'allowed_address_pairs': []}})
    for port in world.reservations():
        world.net.delete('/ports/' + port['id'])


def _vip_present(world):
    for pid in (world.va, world.vb):
        world._put('/ports/' + pid, {'port': {
            'allowed_address_pairs': [{'ip_address': VIP}]}})
    if not world.reservations():
        subnet = world._get('subnets', {'network_id': world.network})[0]
        world._post('ports', {
            'network_id': world.network, 'project_id': world.project,
            'name': 'vip-' + VIP, 'device_owner': 'xloud:vip',
            'admin_state_up': False,
            'fixed_ips': [{'subnet_id': subnet['id'], 'ip_address': VIP}]})


def _sg_state(world):
    return world.rule_shapes()


def _same_group(world):
    return world.same_group_rules()


def _sg_permissive(world):
    world.make_permissive()


def _sg_hardened(world):
    for rule in _same_group(world):
        world.net.delete('/security-group-rules/' + rule['id'])


def _backup(world, cli, proxy):
    """A backup of the permissive rules, written by the command itself."""
    _sg_permissive(world)
    path = str(world.tmp / 'matrix-backup.json')
    if not os.path.exists(path):
        proxy.arm()
        done = cli.run('security', 'group', 'harden', 'default',
                       '--project', world.project, '--backup', path)
        assert done.returncode == 0, done.stderr
    return path


FIPS = [('172.24.4.201', 'web front', ['dns:www']),
        ('172.24.4.202', 'old mail', [])]


def _fip_state(world):
    return sorted((f['floating_ip_address'], f['description'],
                   sorted(f['tags'])) for f in world.floating_ips())


def _fips_allocated(world):
    world.set_floating_ips(FIPS)


def _fips_released(world):
    world.set_floating_ips([])


def _fip_backup(world, cli, proxy):
    """A backup of FIPS, written by the release itself."""
    path = str(world.tmp / 'matrix-fips.json')
    if not os.path.exists(path):
        _fips_allocated(world)
        proxy.arm()
        done = cli.run('floating', 'ip', 'harden', 'release', '--project',
                       world.project, '--backup', path)
        assert done.returncode == 0, done.stderr
    return path


SSH = 'sg-ingress-ssh-from-world'


def _restrict_argv(world):
    return ['security', 'group', 'harden', 'restrict', '--project',
            world.project, '--check', SSH, '--to', '10.0.0.0/8', '--to',
            'fd00::/8']


def _world_state(world):
    return sorted((r['ethertype'], r['port_range_min'],
                   r['remote_ip_prefix'], r['remote_address_group_id'],
                   r['description']) for r in world.group_rules(
                       world.world_open()['group'])
                  if r['direction'] == 'ingress')


def _world_open(world):
    world.world_open()
    world.reset_world_open()


def _restricted_backup(world):
    return str(world.tmp / 'matrix-restrict.json')


def _world_restricted(world):
    """The state a restrict leaves, made by a restrict (without faults):
    its restore deletes the rules it created by their IDs."""
    _world_open(world)
    path = _restricted_backup(world)
    if os.path.exists(path):
        os.unlink(path)
    done = world.matrix_cli.run(*_restrict_argv(world), '--backup', path)
    assert done.returncode == 0, done.stderr


# A template opening SSH to the world in new projects' default groups
# (only those: the matrix creates no project while it exists).
TEMPLATES = 'default-security-group-rules'
PLANTED = {'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
           'port_range_min': 22, 'port_range_max': 22,
           'remote_ip_prefix': '0.0.0.0/0', 'description': 'fault matrix',
           'used_in_default_sg': True, 'used_in_non_default_sg': False}


def _template_state(world):
    """Every template, without its ID (a restore makes a new one)."""
    return sorted(tuple(sorted((k, str(v)) for k, v in t.items()
                               if k != 'id'))
                  for t in world._get(TEMPLATES))


def _planted(world):
    return [t for t in world._get(TEMPLATES)
            if t['description'] == PLANTED['description']]


def _template_absent(world):
    for template in _planted(world):
        world.net.delete('/%s/%s' % (TEMPLATES, template['id']))


def _template_present(world):
    for template in _planted(world)[1:]:
        world.net.delete('/%s/%s' % (TEMPLATES, template['id']))
    if not _planted(world):
        world._post(TEMPLATES, PLANTED)


def _template_backup(world, cli, proxy):
    """A backup of the planted template, written by the command itself."""
    path = str(world.tmp / 'matrix-templates.json')
    if not os.path.exists(path):
        _template_present(world)
        proxy.arm()
        done = cli.run('security', 'group', 'harden', 'template',
                       '--backup', path)
        assert done.returncode == 0, done.stderr
    return path


def _decisions_state(world):
    """The bastion group's decisions, without when they were granted (a
    renew writes a newer one of the same content), and its other tags."""
    tags = world.group_tags(world.bastion()[0])
    found, bad = rec.decisions_in(tags)
    return (sorted((d.check, d.item, d.reason, d.review_by) for d in found),
            sorted(set(tags) - {d.tag for d in found}), bad)


def _undecided(world):
    world.set_group_tags(world.bastion()[0], ['keep-me'])


def _decided(world):
    group, rule = world.bastion()
    old = rec.make_decision_tag(
        SSH, rule, datetime.date.today() + datetime.timedelta(10),
        datetime.datetime.now(datetime.timezone.utc) -
        datetime.timedelta(days=1), 'admin', 'old reason')
    world.set_group_tags(group, ['keep-me', old])


# Two requests of one check and item (a member's accepts), fixed for the
# module so that the reviewed one's request ID stays the same over resets:
# approving the newer drops the older (a Neutron tag write) and endorses
# the newer on the project (Keystone, which the proxy does not fault).
_GRANTED = datetime.datetime.now(datetime.timezone.utc).replace(
    microsecond=0) - datetime.timedelta(days=1)


def _request_tags(world):
    group, rule = world.bastion()
    review = datetime.date.today() + datetime.timedelta(10)
    older, newer = (rec.make_decision_tag(
        SSH, rule, review, _GRANTED - datetime.timedelta(hours=h), 'demo',
        reason, nonce='f00d') for h, reason in ((2, 'older request'),
                                                (0, 'reviewed request')))
    return group, older, newer


def _requested(world):
    group, older, newer = _request_tags(world)
    world.set_group_tags(group, ['keep-me', older, newer])


def _approve_argv(world):
    group, _, newer = _request_tags(world)
    return ['network', 'harden', 'approve', SSH, world.bastion()[1],
            '--request', rec.request_id('security_groups', group, newer)]


def _endorsements(world):
    tags = world.conn.identity.get('/projects/' + world.project).json()[
        'project']['tags']
    return sorted(rec.endorsements_in(tags))


def _approval_state(world):
    return _decisions_state(world), _endorsements(world)


def _orphan_endorsed(world):
    """An endorsement on the project naming no record (its record was
    removed by hand), beside the group's own tags."""
    group, _, newer = _request_tags(world)
    world.set_group_tags(group, ['keep-me'])
    tag = rec.endorsement_tag('security_groups', group, newer, 'admin')
    resp = world.conn.identity.put('/projects/%s/tags' % world.project,
                                   json={'tags': [tag]})
    assert resp.status_code in (200, 204), resp.text


def _accept_argv(world, *more):
    return ['network', 'harden', 'accept', SSH, world.bastion()[1],
            '--reason', REASON, '--review-in', '30'] + list(more)


COMMANDS = {
    'port-security-disable': (
        lambda w, c, p: ['port', 'security', 'disable', w.p1, '--reason',
                         REASON], _ps_enabled, _ps_state),
    'port-security-enable': (
        lambda w, c, p: ['port', 'security', 'enable', w.p1],
        _ps_disabled, _ps_state),
    'port-vip-add': (
        lambda w, c, p: ['port', 'vip', 'add', VIP, '--port', w.va,
                         '--port', w.vb], _vip_absent, _vip_state),
    'port-vip-remove': (
        lambda w, c, p: ['port', 'vip', 'remove', VIP, '--all-ports',
                         '--network', w.network, '--release'],
        _vip_present, _vip_state),
    'security-group-harden-default': (
        lambda w, c, p: ['security', 'group', 'harden', 'default',
                         '--project', w.project],
        _sg_permissive, _sg_state),
    'security-group-harden-restore': (
        lambda w, c, p: ['security', 'group', 'harden', 'restore',
                         _backup(w, c, p)], _sg_hardened, _sg_state),
    'floating-ip-harden-release': (
        lambda w, c, p: ['floating', 'ip', 'harden', 'release',
                         '--project', w.project], _fips_allocated,
        _fip_state),
    'floating-ip-harden-restore': (
        lambda w, c, p: ['floating', 'ip', 'harden', 'restore',
                         _fip_backup(w, c, p)], _fips_released, _fip_state),
    'security-group-harden-restrict': (
        lambda w, c, p: _restrict_argv(w), _world_open, _world_state),
    'security-group-harden-restore-restricted': (
        lambda w, c, p: ['security', 'group', 'harden', 'restore',
                         _restricted_backup(w)], _world_restricted,
        _world_state),
    'security-group-harden-template': (
        lambda w, c, p: ['security', 'group', 'harden', 'template'],
        _template_present, _template_state),
    'security-group-harden-restore-template': (
        lambda w, c, p: ['security', 'group', 'harden', 'restore',
                         _template_backup(w, c, p)], _template_absent,
        _template_state),
    'network-harden-accept': (
        lambda w, c, p: _accept_argv(w), _undecided, _decisions_state,
        'is already accepted until'),
    'network-harden-accept-renew': (
        lambda w, c, p: _accept_argv(w, '--renew'), _decided,
        _decisions_state),
    'network-harden-approve': (
        lambda w, c, p: _approve_argv(w), _requested, _approval_state,
        'already approved'),
    'network-harden-accepted-prune': (
        lambda w, c, p: ['network', 'harden', 'accepted', 'prune',
                         '--project', w.project], _orphan_endorsed,
        _approval_state),
    'network-harden-revoke': (
        lambda w, c, p: ['network', 'harden', 'revoke', SSH,
                         w.bastion()[1]], _decided, _decisions_state,
        'no accepted'),
}


# The commands that write Keystone endorsements: a reset before each of
# their runs clears the project's (Keystone keeps 80); the others read
# none there, and skip the request.
ENDORSING = ('port-security-disable', 'port-security-enable',
             'network-harden-accept', 'network-harden-accept-renew',
             'network-harden-revoke', 'network-harden-approve')


def _names_a_way_on(proc):
    last = (proc.stderr.strip().splitlines() or [''])[-1]
    return proc.returncode != 0 and '`openstack ' in last


def _named_finish(proc):
    """The argv of the `finish with `openstack ...`` a run named, if whole."""
    last = (proc.stderr.strip().splitlines() or [''])[-1]
    found = re.search(r'finish with `openstack ([^`]+)`', last)
    if not found or '...' in found.group(1):
        return None
    return shlex.split(found.group(1))


def _problems(proc):
    found = []
    if 'Traceback' in proc.stderr:
        found.append('a traceback: %r' % proc.stderr[
            proc.stderr.index('Traceback'):][-600:])
    last = (proc.stderr.strip().splitlines() or [''])[-1]
    if proc.returncode != 0 and not 0 < len(last) <= 600:
        found.append('no one-line error: %r' % proc.stderr[-300:])
    return found


def _faults(requests):
    """(kind, k) for every family and every request index k (1-based)
    that the request can meet (see the module's docstring)."""
    for family in FAMILIES:
        for k, (method, _) in enumerate(requests, 1):
            kind = family[k % len(family)]
            if method == 'GET' and kind in ('409', '412', '500-after'):
                continue
            yield kind, k


def _rerun(world, cli, argv, after, proc, rerun_refusal, state):
    """Rerun argv without faults (and what the faulted proc named, if the
    rerun cannot finish): ([what is wrong if the cloud is not then in the
    after state], the state it left)."""
    again = cli.run(*argv)
    now = state(world)
    named = _named_finish(proc) if proc is not None and now != after \
        else None
    if named:
        again = cli.run(*named)
        now = state(world)
    if now != after or (again.returncode != 0 and
                        rerun_refusal not in again.stderr):
        return ['rerun: exit %d, state %s: %s' % (
            again.returncode, now, again.stderr[-300:])], now
    return [], now


@pytest.mark.parametrize('name', sorted(COMMANDS))
def test_fault_at_every_request(name, world, cli, proxy):
    argv_of, reset, state, *rerun_refusal = COMMANDS[name]
    rerun_refusal = rerun_refusal or ['already has a documented']
    argv = argv_of(world, cli, proxy)
    world.clear_project_tags()
    reset(world)                # after: a reset may write endorsements
    before = state(world)
    endorsing = name in ENDORSING
    proxy.arm()
    clean = cli.run(*argv)
    assert clean.returncode == 0, clean.stderr
    after, requests = state(world), list(proxy.log)
    assert before != after and requests
    # the rerun from the after state, checked once
    from_after, _ = _rerun(world, cli, argv, after, None, rerun_refusal[0],
                           state)
    tried, bad = 0, []
    first_write = min([k for k, (method, _) in enumerate(requests, 1)
                       if method != 'GET'] or [len(requests) + 1])
    now = None
    for kind, k in _faults(requests):
        if endorsing:
            world.clear_project_tags()
        if now != before:
            reset(world)
        assert state(world) == before
        proxy.arm(kind, k)
        proc = cli.run(*argv)
        tried += 1
        now = state(world)
        problems = _problems(proc)
        if now not in (before, after) and not _names_a_way_on(proc):
            problems.append('left %s, exit %d, and named no way on: %s'
                            % (now, proc.returncode,
                               proc.stderr.strip()[-300:]))
        if 'nothing was changed' in proc.stderr and now != before:
            problems.append('said nothing was changed, left %s' % (now,))
        proxy.arm()
        if (proc.returncode != 0 or now != after) and not (
                k < first_write and now == before):
            more, now = _rerun(world, cli, argv, after, proc,
                               rerun_refusal[0], state)
            problems += more
        if problems:
            bad.append('%s at request %d (%s %s): %s' % (
                kind, k, *(proxy.fired or ('', '')), problems))
    figures.record('fault matrix %s: %d requests, %d faults injected, '
                   '%d correct outcomes' % (name, len(requests), tried,
                                            tried - len(bad)))
    assert not from_after, 'after a clean run: %s' % from_after
    assert not bad, '%d of %d wrong:\n%s' % (len(bad), tried,
                                             '\n'.join(bad[:5]))
