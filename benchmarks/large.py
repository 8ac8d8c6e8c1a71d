"""The large tier of `make bench`: the audit against a bare fetch of the
same pages, at 100,000 and 300,000 ports, served by a synthetic Neutron API
(benchmarks/synthetic.py; it measures the client, not Neutron).

For each size it starts the synthetic server, fetches every page once to
warm its cache, then runs, alternately and each in a fresh process:

* bare: the same paginated GETs the audit makes (same paths, fields, page
  size and concurrency, through keystoneauth), JSON decoded and kept;
* bare-nogc: the same with Python's cycle collector off, as the audit
  fetches (the strictest floor);
* audit: the audit's fetch and evaluation of every check, in process.

It reports the median wall time of each, the audit/bare ratio, the CPU
seconds of check evaluation, and the peak memory (maximum resident set) of
each process, against the targets: audit <= 1.15x bare at 100k ports,
evaluation <= 0.5 s per 100k ports, peak memory <= 1.3x bare's.

    python benchmarks/large.py [--ports 100000,300000] [--reps 3]
"""

import argparse
import concurrent.futures
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def _client(url):
    from keystoneauth1 import adapter
    from keystoneauth1 import session

    return adapter.Adapter(session.Session(), endpoint_override=url,
                           raise_exc=False)


def _types():
    from xloudclient.audit import accepted
    from xloudclient.audit import catalog

    return sorted({t for c in catalog.all_checks() for t in c.needs} |
                  set(accepted.TAGGABLE))


def bare(url):
    """What the audit fetches, nothing more."""
    from xloudclient.cloud import neutron
    from xloudclient.cloud import resources

    client = _client(url)

    def fetch(rtype):
        kind = resources.TYPES[rtype]
        path, key = '/' + kind.path, kind.name
        params = {'limit': neutron.PAGE_SIZE, 'fields': list(kind.fields)}
        items = []
        while True:
            body = client.get(path, params=params).json()
            items.extend(body[key])
            marker = neutron.next_marker(body, key)
            if not marker or not body[key]:
                return items
            params['marker'] = marker
    started = time.monotonic()
    offered = {e['alias'] for e in client.get('/extensions').json()[
        'extensions']}
    # as the audit: the types of the extensions the cloud has
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        kept = list(pool.map(fetch, [
            t for t in _types() if not resources.TYPES[t].extension or
            resources.TYPES[t].extension in offered]))
    return {'wall': time.monotonic() - started,
            'resources': sum(len(k) for k in kept)}


def audit(url):
    """runner.run as the audit command calls it; the CPU time of check
    evaluation (thread time of every evaluate call, and of the split of
    accepted findings) is summed on the side."""
    from xloudclient.audit import accepted
    from xloudclient.audit import catalog
    from xloudclient.audit import runner
    from xloudclient.audit import settings as settings_mod

    spent = [0.0]

    def timed(fn):
        def wrapper(*args, **kw):
            cpu = time.thread_time()
            try:
                return fn(*args, **kw)
            finally:
                spent[0] += time.thread_time() - cpu
        return wrapper
    runner.evaluate = timed(runner.evaluate)
    accepted.split = timed(accepted.split)
    client = _client(url)       # as bare: importing keystoneauth is no fetch
    started = time.monotonic()
    result = runner.run(client, runner.Scan(
        tuple(catalog.all_checks()), settings=settings_mod.Settings(),
        extra_types=tuple(accepted.TAGGABLE)))
    return {'wall': time.monotonic() - started, 'eval_cpu': spent[0],
            'findings': len(result.findings) + len(result.accepted),
            'resources': result.resources_scanned()}


def bare_no_gc(url):
    """bare with Python's cycle collector off, as the audit runs: the
    strictest floor."""
    import gc

    gc.disable()
    return bare(url)


def child(variant, url):
    result = {'bare': bare, 'bare-nogc': bare_no_gc,
              'audit': audit}[variant](url)
    result['peak_mb'] = resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(result))


def _run(variant, url):
    out = subprocess.run([sys.executable, __file__, '--child', variant,
                          '--url', url], capture_output=True, text=True,
                         check=True, timeout=1800)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(ports, reps):
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, 'port')
        server = subprocess.Popen(
            [sys.executable, os.path.join(HERE, 'synthetic.py'), '--ports',
             str(ports), '--port-file', port_file, '--lifetime', '3600'])
        try:
            deadline = time.monotonic() + 600
            while not os.path.exists(port_file):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit('synthetic server did not start')
                time.sleep(0.2)
            with open(port_file) as f:
                url = 'http://127.0.0.1:%s/v2.0' % f.read().strip()
            _run('bare', url)                   # warm the server's cache
            runs = {'bare': [], 'bare-nogc': [], 'audit': []}
            for _ in range(reps):
                for variant in runs:
                    runs[variant].append(_run(variant, url))
        finally:
            server.terminate()
            server.wait(timeout=30)
    med = {v: {k: statistics.median(r[k] for r in rs)
               for k in rs[0] if isinstance(rs[0][k], (int, float))}
           for v, rs in runs.items()}
    return {'ports': ports, 'reps': reps,
            'resources': runs['audit'][0]['resources'],
            'findings': runs['audit'][0]['findings'],
            'bare_s': med['bare']['wall'], 'audit_s': med['audit']['wall'],
            'ratio': med['audit']['wall'] / med['bare']['wall'],
            'bare_nogc_s': med['bare-nogc']['wall'],
            'ratio_nogc': med['audit']['wall'] / med['bare-nogc']['wall'],
            'eval_cpu_s': med['audit']['eval_cpu'],
            'eval_per_100k': med['audit']['eval_cpu'] * 100000 / ports,
            'bare_peak_mb': med['bare']['peak_mb'],
            'audit_peak_mb': med['audit']['peak_mb'],
            'memory_ratio': med['audit']['peak_mb'] /
            med['bare']['peak_mb']}


def report(rows):
    print('%8s %9s %7s %7s %7s %6s %6s %7s %9s %8s %8s %6s' % (
        'ports', 'resources', 'bare s', 'nogc s', 'audit s', 'ratio',
        'r nogc', 'eval s', 'eval/100k', 'bare MB', 'audit MB', 'mem x'))
    for r in rows:
        print('%8d %9d %7.2f %7.2f %7.2f %6.2f %6.2f %7.2f %9.2f %8.0f '
              '%8.0f %6.2f' % (
                  r['ports'], r['resources'], r['bare_s'], r['bare_nogc_s'],
                  r['audit_s'], r['ratio'], r['ratio_nogc'],
                  r['eval_cpu_s'], r['eval_per_100k'], r['bare_peak_mb'],
                  r['audit_peak_mb'], r['memory_ratio']))
    print('targets: ratio <= 1.15 at 100k ports; eval <= 0.50 s per 100k '
          'ports; memory <= 1.30x')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ports', default='100000,300000')
    parser.add_argument('--reps', type=int, default=3)
    parser.add_argument('--child', choices=('bare', 'bare-nogc', 'audit'))
    parser.add_argument('--url')
    parser.add_argument('--out', default=os.path.join(HERE,
                                                      'results-large.json'))
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.url)
    rows = [measure(int(p), args.reps) for p in args.ports.split(',')]
    report(rows)
    with open(args.out, 'w') as f:
        json.dump({'date': time.strftime('%Y-%m-%d'), 'rows': rows}, f,
                  indent=2)


if __name__ == '__main__':
    main()
