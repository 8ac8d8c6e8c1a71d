"""Concurrent disable/enable runs on one port, under many interleavings.

Invariant after every schedule: a port whose port security is off carries
a valid (confirmed) exception record; a port whose port security is on
carries no record left behind by these finished runs.
"""

import datetime
import random
from unittest import mock

import pytest

from tests.unit import run_contexts
from tests.unit.interleave import Interleaver
from xloudclient.harden import port_security as ps
from xloudclient import records as rec
from xloudclient import harden
from tests.unit.harden.port_security_race_cases import SG1
from tests.unit.harden.port_security_race_cases import _cloud
from tests.unit.harden.port_security_race_cases import violations

REVIEW = datetime.date(2027, 2, 24)
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
SCHEDULES = range(150)


def _disable(reason, renew=False):
    def run(cloud, now):
        return run_contexts.disable(cloud, 'p1', reason, REVIEW, 'admin',
                                    renew=renew, now=now)
    return run


def _enable(cloud, now):
    return ps.enable(cloud, 'p1')


def _run(cloud, actors, seed):
    """One schedule; the seed also picks each run's clock (two runs may
    share a second) and the records' random suffixes."""
    rng = random.Random(seed)
    with mock.patch.object(rec.secrets, 'token_hex',
                           lambda n: '%04x' % rng.randrange(1 << 16)):
        return Interleaver(seed).run(cloud, [
            (lambda a=a, t=NOW + datetime.timedelta(
                seconds=rng.randrange(2)): a(cloud, t)) for a in actors])


@pytest.mark.parametrize('actors', [
    (_disable('A'), _disable('B')),
    (_disable('A', renew=True), _disable('B', renew=True)),
    (_disable('A'), _enable),
    (_disable('A'), _disable('B'), _enable),
    (_disable('A', renew=True), _disable('B'), _enable,
     _disable('C', renew=True)),
], ids=['disable-disable', 'renew-renew', 'disable-enable',
        'disable-disable-enable', 'mixed-4'])
def test_concurrent_runs_never_lose_the_record(actors):
    bad = []
    for seed in SCHEDULES:
        cloud = _cloud()
        results = _run(cloud, actors, seed)
        for problem in violations(cloud):
            bad.append('schedule %d: %s (results %s)' % (seed, problem,
                                                         results))
    assert not bad, '%d bad schedules, first: %s' % (len(bad), bad[0])


def test_two_disables_one_wins_one_is_refused():
    for seed in SCHEDULES:
        cloud = _cloud()
        results = _run(cloud, (_disable('A'), _disable('B')), seed)
        ok = [r for r, e in results if e is None]
        errors = [e for r, e in results if e is not None]
        assert len(ok) == 1, 'schedule %d: %s' % (seed, results)
        assert isinstance(errors[0], harden.Refused)
        # refused as concurrent, or (started after the other finished) as
        # an existing exception
        assert 'concurrent' in str(errors[0]) or (
            'already has a documented exception' in str(errors[0]))
        [record] = [r for r in rec.records_in(
            cloud.ports['p1']['tags'])[0]]
        assert record.reason == ok[0].record.reason


def test_concurrent_renewals_leave_one_record_on_a_disabled_port():
    for seed in SCHEDULES:
        cloud = _cloud()
        run_contexts.disable(cloud, 'p1', 'first', REVIEW, 'admin', now=NOW)
        _run(cloud, (_disable('A', renew=True), _disable('B', renew=True)),
             seed)
        records = rec.records_in(cloud.ports['p1']['tags'])[0]
        # 'first' is replaced; racing renewals may both stay (the newest
        # documents), never neither
        assert records and {r.reason for r in records} <= {'A', 'B'}, (
            'schedule %d: %s' % (seed, cloud.ports['p1']['tags']))
        assert not any(r.pending for r in records)
        assert all(r.security_groups == (SG1,) for r in records)


def test_a_confirmation_that_lands_with_the_enable_is_removed():
    """A disable confirms its record just as the enable's guarded update
    lands (a multi-worker Neutron let the update through; seen in CI):
    the enable, finding the port on, removes the confirmed record it did
    not see."""
    pending = rec.make_tag(REVIEW, NOW, 'demo', [SG1], 'round 0',
                           nonce='beef', pending=True)
    cloud = _cloud(enabled=False, tags=[pending])
    late = rec.parse_tag(pending).confirmed_tag()

    def confirm_late(cloud, method, path):
        port = cloud.ports['p1']
        if method == 'GET' and port['port_security_enabled'] and \
                late not in port['tags'] and not cloud.confirmed:
            cloud.confirmed = True
            port['tags'].append(late)       # no revision bump: the window
    cloud.confirmed = False
    cloud.hook = confirm_late
    outcome = ps.enable(cloud, 'p1')
    assert cloud.confirmed
    assert late not in cloud.ports['p1']['tags']
    assert outcome.port['port_security_enabled']
    assert rec.records_in(outcome.port['tags'])[0] == [
        rec.parse_tag(pending)]     # the young pending one: its run's
