"""Every fault kind at every request of disable and enable.

Afterwards the port is as before, as after, or the command failed with a
one-line message that names what is left and the command that finishes
or undoes it; rerunning the command then converges to the after state.
"""

import datetime

import pytest

from tests.unit import faults
from tests.unit.test_port_security_races import _cloud
from tests.unit.test_port_security_races import violations
from xloudclient import port_security as ps

REVIEW = datetime.date(2027, 2, 24)


def _disable(client):
    return ps.disable(client, 'p1', 'appliance', REVIEW, 'admin')


def _renew(client):
    return ps.disable(client, 'p1', 'renewed', REVIEW, 'admin', renew=True)


def _enable(client):
    return ps.enable(client, 'p1')


def _state(cloud):
    """What matters of the port: security, groups, tags (records kept as
    their kind and reason)."""
    from xloudclient import exception_record as rec
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
    ps.disable(cloud, 'p1', 'first', REVIEW - datetime.timedelta(days=1),
               'admin', now=datetime.datetime.now(datetime.timezone.utc) -
               datetime.timedelta(minutes=1))
    return cloud


@pytest.mark.parametrize('case', sorted(CASES))
def test_every_fault_at_every_request(case):
    run, make = CASES[case]
    cloud = make()
    before = _state(cloud)
    n = faults.count_requests(run, cloud)
    after = _state(cloud)
    assert n >= 3
    tried = ok = 0
    bad = []
    for kind in faults.KINDS:
        for k in range(1, n + 1):
            cloud = make()
            client = faults.FaultyClient(cloud, kind, k)
            error = None
            try:
                run(client)
            except (ps.PortSecurityError, Exception) as e:
                error = e
            tried += 1
            state = _state(cloud)
            problems = violations(cloud)
            if state not in (before, after):
                text = str(error or '')
                if error is None or 'openstack port security' not in text:
                    problems.append('state %s, not before/after, and the '
                                    'error names no way on: %r'
                                    % (state, text))
            if error is not None and (
                    '\n' in str(error) or not isinstance(
                        error, ps.PortSecurityError)):
                problems.append('not a one-line command error: %r' % error)
            try:
                run(cloud)      # rerun converges to the after state
            except ps.PortSecurityError as e:
                if 'already has a documented exception' not in str(e):
                    problems.append('rerun failed: %s' % e)
            if _state(cloud) != after:
                problems.append('rerun ends in %s' % (_state(cloud),))
            if problems:
                bad.append('%s at request %d: %s' % (kind, k, problems))
            else:
                ok += 1
    print('%s: %d faults injected, %d correct outcomes' % (case, tried, ok))
    assert not bad, '%d of %d wrong, first: %s' % (len(bad), tried, bad[0])
