"""Every fault kind at every request of disable and enable.

Afterwards the port is as before, as after, or the command failed with a
one-line message that names what is left and the command that finishes
or undoes it; rerunning the command then converges to the after state.
"""

import datetime

import pytest

from tests.unit import run_contexts
from tests.unit import faults
from tests.unit.harden.port_security_race_cases import _cloud
from tests.unit.harden.port_security_race_cases import violations
from xloudclient.harden import port_security as ps
from xloudclient import harden

REVIEW = datetime.date(2027, 2, 24)


def _disable(client):
    return run_contexts.disable(client, 'p1', 'appliance', REVIEW, 'admin')


def _renew(client):
    return run_contexts.disable(client, 'p1', 'renewed', REVIEW, 'admin',
                                renew=True)


def _enable(client):
    return ps.enable(client, 'p1')


def _state(cloud):
    """What matters of the port: security, groups, tags (records kept as
    their kind and reason)."""
    from xloudclient import records as rec
    port = cloud.ports['p1']
    records = rec.records_in(port['tags'])[0]
    return (port['port_security_enabled'], sorted(port['security_groups']),
            sorted(('pending' if r.pending else 'confirmed', r.reason)
                   for r in records),
            sorted(t for t in port['tags'] if not rec.is_record_tag(t)))


CASES = {
    'disable': (_disable, lambda: _cloud(enabled=True)),
    'renew': (_renew, lambda: _disabled_cloud()),
    'enable': (_enable, lambda: _disabled_cloud()),
}


def _disabled_cloud():
    cloud = _cloud(enabled=True)
    run_contexts.disable(
        cloud, 'p1', 'first', REVIEW - datetime.timedelta(days=1), 'admin',
        now=datetime.datetime.now(datetime.timezone.utc) -
        datetime.timedelta(minutes=1))
    return cloud


@pytest.mark.parametrize('case', sorted(CASES))
def test_every_fault_at_every_request(case):
    run, make = CASES[case]
    tried, bad = faults.matrix(
        run, make, _state, harden.Refused, 'openstack port security',
        extra=violations,
        rerun_refusal='already has a documented exception')
    print('%s: %d faults injected, %d correct outcomes'
          % (case, tried, tried - len(bad)))
    assert not bad, '%d of %d wrong, first: %s' % (len(bad), tried, bad[0])
