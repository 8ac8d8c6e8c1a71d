"""Every fault kind at every request of a release and of its restore:
the floating IPs end as before, as after, or the run failed naming the
command that finishes it; a rerun converges."""

import pytest

from tests.unit import faults
from tests.unit.harden import fip_release_cases as base
from xloudclient import errors
from xloudclient.harden import fip_release as fr
from xloudclient.harden import fip_release_restore as restoring
from xloudclient import harden

RELEASE = ['openstack', 'floating', 'ip', 'harden', 'release']


def _release(client):
    plan = fr.select(fr.read_candidates(client), now=base.NOW)
    rows = fr.apply_release(client, plan)
    line = fr.failures(rows, 'release', RELEASE + [
        r.name for r in rows if r.failed])
    if line:
        raise harden.Refused(line)


def _entries():
    cloud = base._cloud()
    plan = fr.select(cloud.data['floatingips'], now=base.NOW)
    return [{k: f.get(k) for k in fr.KEPT} for f in plan.release]


ENTRIES = _entries()


def _released():
    cloud = base._cloud()
    cloud.data['floatingips'] = [f for f in cloud.data['floatingips']
                                 if f['port_id']]
    return cloud


def _restore(client):
    rows = restoring.restore(client, ENTRIES)
    line = fr.failures(rows, 'restore', ['openstack', 'floating', 'ip',
                                         'harden', 'restore', 'b.json'])
    if line:
        raise harden.Refused(line)


CASES = {'release': (_release, base._cloud, 'harden release'),
         'restore': (_restore, _released, 'harden restore')}


@pytest.mark.parametrize('case', sorted(CASES))
def test_every_fault_at_every_request(case):
    run, make, way_on = CASES[case]
    tried, bad = faults.matrix(run, make, base._addresses, errors.Explained,
                               way_on)
    print('floating ip %s: %d faults injected, %d correct outcomes'
          % (case, tried, tried - len(bad)))
    assert not bad, '%d of %d wrong, first: %s' % (len(bad), tried, bad[0])
