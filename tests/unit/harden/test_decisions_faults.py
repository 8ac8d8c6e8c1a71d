"""Every fault kind at every request of accept, renew and revoke, as the
commands run them (the audit's reads, then the writes).

Afterwards the decisions are as before, as after, or the command failed
with one line naming the `openstack network harden ...` command that
finishes; the rerun converges to the after state.
"""

import datetime

import pytest

from tests.unit import faults
from tests.unit.harden.decision_cases import _audit
from tests.unit.harden.decision_cases import _cloud
from tests.unit.harden.decision_cases import _decision
from tests.unit.harden.decision_cases import _fetch
from tests.unit.harden.decision_cases import _unwrite
from tests.unit.harden.decision_cases import _write
from tests.unit.harden.decision_cases import RULE
from tests.unit.harden.decision_cases import SSH
from xloudclient.audit import accepted
from xloudclient.audit import inventory as inventory_mod
from xloudclient.harden import decisions
from xloudclient import records as rec
from xloudclient import harden

REVIEW = datetime.date(2027, 3, 1)
ERRORS = (harden.Refused, inventory_mod.InventoryError)


def _state(cloud):
    """The decisions on the bastion group, each with whether an
    endorsement names it, without when they were granted (a renew writes
    a newer one of the same content); the other tags; malformed ones; and
    how many endorsements in its project name no record (litter)."""
    group = cloud.data['security-groups'][0]
    found, bad = rec.decisions_in(group.get('tags'))
    endorsed = rec.endorsements_in(cloud.keystone.tags('p'))
    mine = {rec.digest('security_groups', 'bastion', d.tag) for d in found}
    return sorted((d.check, d.item, d.reason, d.review_by,
                   rec.digest('security_groups', 'bastion', d.tag) in
                   endorsed) for d in found), \
        sorted(t for t in group.get('tags') or () if t not in
               [d.tag for d in found]), bad, len(set(endorsed) - mine)


def _accept(renew):
    def run(client):
        result = _audit(client, checks=(SSH,))
        found = decisions.find(result.findings + [f for f, _ in
                                                  result.accepted], SSH, RULE)
        return _write(client, decisions.target(found, result.inventory),
                      'bastion host', REVIEW, 'admin', renew=renew)
    return run


def _revoke(client):
    inv = _fetch(client, tuple(accepted.TAGGABLE))
    rtype, holder, found = decisions.find_decisions(inv, SSH, RULE)
    return _unwrite(client, rtype, holder, found)


def _approve(client):
    from tests.unit import faults

    inv = _fetch(client, tuple(accepted.TAGGABLE))
    rtype, holder, found = decisions.find_decisions(inv, SSH, RULE)
    endorsed = {d.tag: e for d in found
                for e in [accepted.endorsements(inv, rtype, holder, d)] if e}
    from tests.unit import run_contexts

    ctx = run_contexts.context(client, faults.identity_of(client), 'admin',
                               now=run_contexts.NOW)
    outcome, chosen = decisions.approve(
        ctx, decisions.Held(rtype, holder, found, endorsed),
        rec.request_id(rtype, holder['id'], next(
            d.tag for d in found if d.reason == 'bastion host')))
    return str(outcome), chosen


def _requested():
    """A member's request beside an older decision an admin approved."""
    cloud = _cloud(group_tags=['keep-me', _decision(SSH, RULE,
                                                    reason='old reason')])
    cloud.data['security-groups'][0]['tags'].append(_decision(
        SSH, RULE, reason='bastion host', review=REVIEW,
        granted=datetime.datetime(2026, 11, 28, 11, 0,
                                  tzinfo=datetime.timezone.utc)))
    return cloud


def _accepted():
    return _cloud(group_tags=['keep-me', _decision(SSH, RULE,
                                                   reason='old reason')])


CASES = {
    'accept': (_accept(False), lambda: _cloud(group_tags=['keep-me']),
               'already accepted'),
    'renew': (_accept(True), _accepted, None),
    'revoke': (_revoke, _accepted, 'no accepted'),
    'approve': (_approve, _requested, None),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_every_fault_at_every_request(case):
    run, make, rerun_refusal = CASES[case]
    tried, bad = faults.matrix(run, make, _state, ERRORS,
                               '`openstack network harden ',
                               rerun_refusal=rerun_refusal)
    print('%s: %d faults injected, %d correct outcomes'
          % (case, tried, tried - len(bad)))
    assert not bad, '%d of %d wrong, first: %s' % (len(bad), tried, bad[0])


def _way_on(error):
    """The command an error names, as argv after `openstack`."""
    import shlex
    return shlex.split(str(error).split('`openstack ')[1].split('`')[0])


def test_a_put_failing_every_time_names_a_renew_that_finishes():
    cloud = _cloud(group_tags=['keep-me'])
    with pytest.raises(harden.Refused) as failed:
        _accept(False)(faults.FaultyClient(cloud, '503', methods=('put',)))
    text = str(failed.value)
    assert 'may or may not be recorded' in text and '\n' not in text
    argv = _way_on(failed.value)
    assert argv[:5] == ['network', 'harden', 'accept', SSH, RULE]
    assert argv[argv.index('--reason') + 1] == 'bastion host'
    assert argv[argv.index('--review-by') + 1] == '2027-03-01'
    assert '--renew' in argv and '--key' not in argv   # a rule: no key
    assert _state(cloud)[0] == []
    _accept(True)(cloud)                     # what the error says to run
    assert _state(cloud)[0] == [(SSH, RULE, 'bastion host', REVIEW, True)]


def test_an_old_decision_that_cannot_go_is_named_and_a_renew_ends_it():
    cloud = _accepted()
    with pytest.raises(harden.Refused) as failed:
        _accept(True)(faults.FaultyClient(cloud, '500',
                                          methods=('delete',)))
    assert str(failed.value).startswith('the new decision is recorded, but '
                                        'an older one could not be removed')
    assert len(_state(cloud)[0]) == 2
    assert '--renew' in _way_on(failed.value)
    _accept(True)(cloud)
    assert _state(cloud)[0] == [(SSH, RULE, 'bastion host', REVIEW, True)]
    assert _state(cloud)[1] == ['keep-me']


def test_a_refused_put_changed_nothing_and_says_so():
    cloud = _cloud(group_tags=['keep-me'])
    cloud.deny.add(('PUT', '/security-groups/bastion/tags'))
    with pytest.raises(harden.Refused, match='denied; nothing was '
                       'changed$'):
        _accept(False)(cloud)


def test_revoke_names_how_many_are_left_and_the_command_to_finish():
    cloud = _cloud(group_tags=[_decision(SSH, RULE, reason='one'),
                               _decision(SSH, RULE, reason='two'),
                               'keep-me'])
    client = faults.FaultyClient(cloud, 'reset', methods=('delete',))
    with pytest.raises(harden.Refused, match='2 of 2 decisions are '
                       'still recorded') as failed:
        _revoke(client)
    argv = _way_on(failed.value)
    assert argv == ['network', 'harden', 'revoke', SSH, 'bastion', '--key',
                    RULE]
    inv = _fetch(cloud, tuple(accepted.TAGGABLE))
    rtype, holder, found = decisions.find_decisions(inv, argv[3], argv[4],
                                                    argv[6])
    _unwrite(cloud, rtype, holder, found)
    assert _state(cloud) == ([], ['keep-me'], [], 0)


def test_transient_errors_within_the_budget_are_absorbed():
    cloud = _cloud(group_tags=['keep-me'])
    flaky = faults.FaultyClient(cloud, '503', methods=('put',))
    calls = []

    def put(*a, **kw):
        calls.append(a)
        return (faults.FaultyClient.put(flaky, *a, **kw) if len(calls) < 3
                else cloud.put(*a, **kw))
    flaky.put = put
    assert _accept(False)(flaky)[0] == 'accepted'
    assert len(calls) == 3
    assert _state(cloud)[0] == [(SSH, RULE, 'bastion host', REVIEW, True)]
