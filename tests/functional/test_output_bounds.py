"""Output linear in the findings: one group with 1,024 rules, each from one
/10 of IPv4, opens the group from anywhere only together; each of its
1,024 findings names a few of the others and "and N more", never all of
them (before: 177 MB of JSON, 21 s, 480 MB of memory). Prints the size,
time and peak memory of the real CLI's audit."""

import json
import os
import subprocess
import sys
import time

from tests.functional.conftest import OPENSTACK
from tests.functional.conftest import read_openrc
from tests.functional import figures
from tests.functional.world import module_world

world = module_world('bounds', cidr='10.94.0.0/24')
RULES = 1024
ANY = 'sg-ingress-any-from-world'


def _audit(world):
    """(stdout, seconds, peak memory in MB) of the admin's audit of the
    world's project, as a process of its own (its peak read by a parent
    of its own: RUSAGE_CHILDREN of a process with that one child)."""
    env = dict({k: v for k, v in os.environ.items()
                if not k.startswith('OS_')}, **read_openrc(world.openrc))
    code = ('import resource, subprocess, sys; '
            'p = subprocess.run(sys.argv[1:]); '
            'sys.stderr.write("peak-kb=%d\\n" % resource.getrusage('
            'resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)')
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, '-c', code, OPENSTACK, 'network', 'harden',
         'audit', '--project', world.project, '--check', ANY, '-f', 'json'],
        env=env, capture_output=True, timeout=600)
    seconds = time.monotonic() - started
    err = proc.stderr.decode()
    assert proc.returncode == 3, err[-2000:]
    peak = int(err.rsplit('peak-kb=', 1)[1].split()[0]) / 1024.0
    return proc.stdout, seconds, peak


def test_a_group_of_1024_rules_open_together_gives_bounded_findings(world):
    # the production shape keeps Neutron's default quotas (100 rules)
    world._put('/quotas/' + world.project, {'quota': {
        'security_group_rule': RULES + 100}})
    group = world._post('security-groups', {'name': 'xlf-wide',
                                            'project_id': world.project})
    bodies = [{'security_group_id': group['id'], 'direction': 'ingress',
               'ethertype': 'IPv4', 'project_id': world.project,
               'remote_ip_prefix': '%d.%d.0.0/10' % (i >> 2, (i & 3) << 6)}
              for i in range(RULES)]
    for start in range(0, RULES, 256):
        resp = world.net.post('/security-group-rules', json={
            'security_group_rules': bodies[start:start + 256]})
        assert resp.status_code == 201, resp.text
    out, seconds, peak = _audit(world)
    findings = [f for f in json.loads(out) if f['Check'] == ANY]
    # the /10s of private and special blocks admit no public address
    assert 800 < len(findings) < RULES
    for f in findings:
        assert f['Detail'].endswith('and %d more' % (len(findings) - 5))
        assert len(f['Remediation'].split()) < 20
    per_finding = len(out) / len(findings)
    assert per_finding < 2048, per_finding
    figures.record(
        'output bounds: %d rules open one group together: %d findings, '
        '%.0f KB of JSON (%.0f bytes per finding), %.1f s, peak memory of '
        'the audit %.0f MB' % (RULES, len(findings), len(out) / 1024.0,
                               per_finding, seconds, peak))
