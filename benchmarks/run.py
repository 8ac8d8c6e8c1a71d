"""`make bench`: the audit against the guide's pipeline and the floor.

Starts its own devcloud (state in .devcloud-bench/, sharing the services'
virtualenv with .devcloud/), seeds it at growing scales of the default
estate, and measures at each scale:

  floor      the bare paginated list calls the audit needs, in one process
             that is already authenticated (openstacksdk's session);
  floor+cli  the same in a fresh `python` process (import, auth, lists);
  audit      `openstack network harden audit --all-projects -f json`;
  pipeline   the guide's port-security pipeline on a sample of networks,
             extrapolated per network (and said so);
  requests   API requests the audit makes (from the servers' access logs).

At the largest scale it also times the guide's four checklist commands as
written, the plugin's start-up cost (`openstack --version` with and
without the plugin installed) and the audit's peak memory. It prints a
table, writes benchmarks/results.json and the plot
benchmarks/audit-vs-pipeline.png.
"""

import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from benchmarks import seed as seed_mod  # noqa: E402

STATE = os.path.join(ROOT, '.devcloud-bench')
BIN = os.path.dirname(sys.executable)
OPENSTACK = os.path.join(BIN, 'openstack')
BARE_VENV = os.path.join(ROOT, '.venv-bare')
AUDIT = [OPENSTACK, 'network', 'harden', 'audit', '--all-projects',
         '-f', 'json', '--fail-on', 'none']
PIPELINE = ("openstack network show {id} -f json | "
            "grep -E '\"id\"|port_security_enabled'")
CHECKLIST = [
    ('network list | xargs network show (first network only)',
     "openstack network list -f value -c ID | awk 'NR==1' | xargs -I{} "
     "openstack network show {} -f json | grep -E "
     "'\"id\"|port_security_enabled'"),
    ('security group rule list --all-projects --dst-port 22',
     "openstack security group rule list --all-projects --protocol tcp "
     "--dst-port 22 --ingress | grep '0.0.0.0/0'"),
    ('floating ip list --all-projects --status DOWN',
     'openstack floating ip list --all-projects --status DOWN'),
    ('router list --all-projects | grep external_gateway_info',
     'openstack router list --all-projects -f json | grep '
     'external_gateway_info'),
]
LISTS = [('/networks', 'networks'), ('/ports', 'ports'),
         ('/security-groups', 'security_groups'),
         ('/security-group-rules', 'security_group_rules'),
         ('/floatingips', 'floatingips'), ('/routers', 'routers')]


def log(msg):
    print('bench: ' + msg, file=sys.stderr, flush=True)


def devcloud_env():
    env = dict(os.environ)
    env.setdefault('XLOUD_DEVCLOUD_KEYSTONE_PORT', '5100')
    env.setdefault('XLOUD_DEVCLOUD_NEUTRON_PORT', '9796')
    env['XLOUD_DEVCLOUD_DIR'] = STATE
    env.setdefault('XLOUD_DEVCLOUD_VENV',
                   os.path.join(ROOT, '.devcloud', 'venv'))
    return env


def openrc_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    with open(os.path.join(STATE, 'admin-openrc.sh')) as f:
        for line in f:
            if line.startswith('export '):
                key, _, value = line[7:].strip().partition('=')
                env[key] = shlex.split(value)[0]
    env['PATH'] = BIN + os.pathsep + env.get('PATH', '')
    return env


def run(cmd, env, shell=False):
    if shell:   # a pipeline fails when any command in it fails
        cmd = ['/bin/bash', '-o', 'pipefail', '-c', cmd]
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def median(values):
    return statistics.median(values)


# --- measurements -----------------------------------------------------------

def floor_in_process(conn, page_size=1000):
    """Seconds for the bare paginated lists, on an open session."""
    start = time.perf_counter()
    conn.network.get('/extensions').json()
    for path, key in LISTS:
        marker = None
        while True:
            params = {'limit': page_size}
            if marker:
                params['marker'] = marker
            resp = conn.network.get(path, params=params)
            resp.raise_for_status()
            page = resp.json()[key]
            if len(page) < page_size:
                break
            marker = page[-1]['id']
    return time.perf_counter() - start


FLOOR_SCRIPT = '''
import openstack
conn = openstack.connect()
for path, key in %r:
    marker = None
    while True:
        params = {'limit': 1000}
        if marker:
            params['marker'] = marker
        page = conn.network.get(path, params=params).json()[key]
        if len(page) < 1000:
            break
        marker = page[-1]['id']
''' % (LISTS,)


def access_lines():
    total = 0
    for name in ('neutron-access.log', 'keystone-access.log'):
        try:
            with open(os.path.join(STATE, 'logs', name)) as f:
                total += sum(1 for _ in f)
        except OSError:
            pass
    return total


def neutron_lines():
    try:
        with open(os.path.join(STATE, 'logs', 'neutron-access.log')) as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def audit_requests(env):
    before_all, before_neutron = access_lines(), neutron_lines()
    _, proc = run(AUDIT, env)
    assert proc.returncode == 0, proc.stderr
    return (neutron_lines() - before_neutron,
            access_lines() - before_all, len(json.loads(proc.stdout)))


def audit_peak_memory_kb(env):
    code = ('import resource, subprocess, sys; '
            'subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); '
            'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)')
    proc = subprocess.run([sys.executable, '-c', code] + AUDIT, env=env,
                          capture_output=True, text=True)
    return int(proc.stdout.strip())


def pipeline_per_network(env, sample):
    """Seconds per network of the guide's pipeline, over a sample."""
    t_list, proc = run('openstack network list -f value -c ID', env,
                       shell=True)
    ids = proc.stdout.split()
    picks = ids[::max(1, len(ids) // sample)][:sample]
    start = time.perf_counter()
    for net_id in picks:
        subprocess.run(PIPELINE.format(id=net_id), shell=True, env=env,
                       capture_output=True)
    per = (time.perf_counter() - start) / len(picks)
    return t_list, per, len(ids)


def startup(env, reps):
    """Median `openstack --version` with and without the plugin.

    The two are interleaved, so that drift in the machine's load hits both
    alike (measured apart, the difference swung by +-100 ms).
    """
    bare = os.path.join(BARE_VENV, 'bin', 'openstack')
    with_plugin, without = [], []
    for _ in range(reps):
        with_plugin.append(run([OPENSTACK, '--version'], env)[0])
        without.append(run([bare, '--version'], env)[0])
    return median(with_plugin), median(without)


def ensure_bare_venv():
    """A virtualenv with the same python-openstackclient, no plugin."""
    import importlib.metadata
    marker = os.path.join(BARE_VENV, '.ready')
    pins = ['%s==%s' % (d, importlib.metadata.version(d)) for d in (
        'python-openstackclient', 'openstacksdk', 'osc-lib', 'cliff')]
    if os.path.exists(marker) and open(marker).read() == ' '.join(pins):
        return
    log('creating %s (%s)' % (BARE_VENV, ' '.join(pins)))
    subprocess.run([sys.executable, '-m', 'venv', BARE_VENV], check=True)
    subprocess.run([os.path.join(BARE_VENV, 'bin', 'python'), '-m', 'pip',
                    'install', '-q', '--disable-pip-version-check'] + pins,
                   check=True, capture_output=True)
    with open(marker, 'w') as f:
        f.write(' '.join(pins))


# --- the run ----------------------------------------------------------------

def measure_scale(conn, env, scale, reps, sample):
    counts = seed_mod.Seeder(conn, log=log).seed(scale)
    log('scale %.2f seeded: %s' % (scale, counts))
    run(AUDIT, env)   # warm the servers' caches once
    audits = []
    for _ in range(reps):
        seconds, proc = run(AUDIT, env)
        assert proc.returncode == 0, proc.stderr
        audits.append(seconds)
    floors = [floor_in_process(conn) for _ in range(reps)]
    floor_procs = [run([sys.executable, '-c', FLOOR_SCRIPT], env)[0]
                   for _ in range(reps)]
    neutron_requests, all_requests, findings = audit_requests(env)
    t_list, per_net, networks = pipeline_per_network(env, sample)
    pipeline = t_list + per_net * networks
    return {
        'scale': scale, 'estate': counts, 'networks_total': networks,
        'audit_s': median(audits), 'audit_runs_s': audits,
        'floor_s': median(floors), 'floor_process_s': median(floor_procs),
        'pipeline_per_network_s': per_net, 'pipeline_list_s': t_list,
        'pipeline_extrapolated_s': pipeline, 'pipeline_sample': sample,
        'audit_neutron_requests': neutron_requests,
        'audit_all_requests': all_requests, 'findings': findings,
    }


def report(results, extra):
    print()
    print('%-7s %9s %9s %11s %9s %12s %10s %10s %8s' % (
        'scale', 'networks', 'floor s', 'floor+py s', 'audit s',
        'pipeline s', 'audit/flr', 'pipe/audit', 'requests'))
    for r in results:
        print('%-7.2f %9d %9.2f %11.2f %9.2f %12.1f %10.2f %10.0f %8d' % (
            r['scale'], r['networks_total'], r['floor_s'],
            r['floor_process_s'], r['audit_s'],
            r['pipeline_extrapolated_s'], r['audit_s'] / r['floor_s'],
            r['pipeline_extrapolated_s'] / r['audit_s'],
            r['audit_neutron_requests']))
    print()
    print('pipeline: %d networks sampled per scale, %.2fs per network, '
          'extrapolated to all networks (plus one `network list`)'
          % (results[-1]['pipeline_sample'],
             results[-1]['pipeline_per_network_s']))
    print('audit / floor+py (fresh process both sides): %.2f' % (
        results[-1]['audit_s'] / results[-1]['floor_process_s']))
    print('start-up: openstack --version %.3fs with the plugin, %.3fs '
          'without: +%.0f ms' % (extra['version_with_plugin_s'],
                                 extra['version_without_plugin_s'],
                                 extra['startup_delta_ms']))
    print('audit peak memory: %.0f MB' % (extra['audit_peak_rss_kb'] / 1024))
    for name, item in extra['checklist'].items():
        print('guide checklist: %-58s %6.2fs exit %d' % (
            name, item['seconds'], item['exit']))


def plot(results, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    nets = [r['networks_total'] for r in results]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(nets, [r['pipeline_extrapolated_s'] for r in results], 'o-',
            label="guide's pipeline (extrapolated from a sample)")
    ax.plot(nets, [r['audit_s'] for r in results], 's-',
            label='network harden audit --all-projects')
    ax.plot(nets, [r['floor_s'] for r in results], '^--',
            label='floor: bare list calls')
    ax.set_xlabel('networks in the estate (ports, groups... scale along)')
    ax.set_ylabel('seconds (log scale)')
    ax.set_yscale('log')
    ax.grid(True, which='both', alpha=0.3)
    ax.legend()
    ax.set_title('Audit time against estate size')
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--scales', default='0.1,0.3,1.0',
                        help='estate sizes as fractions of the default')
    parser.add_argument('--reps', type=int, default=5)
    parser.add_argument('--sample', type=int, default=5,
                        help='networks the pipeline is timed on')
    parser.add_argument('--output', default=os.path.join(HERE,
                                                         'results.json'))
    args = parser.parse_args(argv)
    scales = sorted(float(s) for s in args.scales.split(','))

    up = subprocess.run([sys.executable, os.path.join(ROOT, 'tools',
                                                      'devcloud'), 'up'],
                        env=devcloud_env())
    if up.returncode:
        sys.exit('bench: the devcloud did not start')
    env = openrc_env()
    os.environ.update({k: v for k, v in env.items()
                       if k.startswith('OS_')})
    import openstack
    conn = openstack.connect()
    ensure_bare_venv()

    results = []
    for scale in scales:
        log('measuring at scale %.2f' % scale)
        results.append(measure_scale(conn, env, scale, args.reps,
                                     args.sample))
    with_plugin, without = startup(env, 20)
    extra = {
        'version_with_plugin_s': with_plugin,
        'version_without_plugin_s': without,
        'startup_delta_ms': (with_plugin - without) * 1000,
        'audit_peak_rss_kb': audit_peak_memory_kb(env),
        'checklist': {},
    }
    for name, command in CHECKLIST:
        seconds, proc = run(command, env, shell=True)
        extra['checklist'][name] = {
            'seconds': seconds, 'exit': proc.returncode,
            'stderr': proc.stderr.strip().splitlines()[-1:]}
    doc = {
        'when': datetime.datetime.now(datetime.timezone.utc).isoformat(),
        'machine': {'cpus': os.cpu_count(), 'platform': platform.platform(),
                    'python': platform.python_version()},
        'results': results, 'extra': extra}
    with open(args.output, 'w') as f:
        json.dump(doc, f, indent=2)
    plot(results, os.path.join(HERE, 'audit-vs-pipeline.png'))
    report(results, extra)
    log('wrote %s and %s' % (args.output,
                             os.path.join(HERE, 'audit-vs-pipeline.png')))


if __name__ == '__main__':
    main()
