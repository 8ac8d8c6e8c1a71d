"""The endorsement writes of decisions.py, counted: what a removal that
Keystone refuses or fails leaves, what a prune removes, which older
decisions an accept replaces."""

import datetime

import pytest

from tests.unit.clouds import FakeResponse
from tests.unit.clouds import FakeKeystone
from xloudclient.audit import inventory as inventory_mod
from xloudclient.cloud import neutron
from xloudclient.harden import decisions
from xloudclient import records as rec
from xloudclient import harden

NOW = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.timezone.utc)
PORT = {'id': 'port-1', 'project_id': 'p'}


class PickyKeystone(FakeKeystone):
    """Refuses (403) or fails (HTTP 400, a refusal that is not 403) the
    removal of chosen tags."""

    def __init__(self, refuse=(), reject=()):
        super().__init__(('p',))
        self.refuse, self.reject = set(refuse), set(reject)

    def delete(self, path, **kw):
        _, tag = self._tag(path)
        if tag in self.refuse:
            return FakeResponse(403, {'error': {'message': 'forbidden'}})
        if tag in self.reject:
            return FakeResponse(400, {'error': {'message': 'bad'}})
        return super().delete(path, **kw)


def _record(reason):
    return rec.make_tag(datetime.date(2027, 1, 1), NOW, 'admin', [],
                        reason)


def _endorsed(keystone, records):
    """{digest: (Endorsement,)} of the records on PORT, written to
    Keystone."""
    found = {}
    for tag in records:
        endorsement = rec.endorsement_tag('ports', PORT['id'], tag, 'admin')
        keystone.data['p']['tags'].append(endorsement)
        found[rec.digest('ports', PORT['id'], tag)] = (
            rec.parse_endorsement(endorsement)[1],)
    return found


def _all(endorsed):
    return [e for found in endorsed.values() for e in found]


def _records(tags):
    return [rec.records_in([t])[0][0] for t in tags]


def test_approve_command_names_the_key_only_when_there_is_one():
    assert decisions.approve_command('c', 't', 'k') == (
        'openstack', 'network', 'harden', 'approve', 'c', 't', '--key', 'k')
    assert decisions.approve_command('c', 't') == (
        'openstack', 'network', 'harden', 'approve', 'c', 't')
    assert decisions.approve_command('c', 't', '', 'ab12') == (
        'openstack', 'network', 'harden', 'approve', 'c', 't', '--request',
        'ab12')


def test_unendorse_is_false_when_refused_and_raises_on_other_refusals():
    tags = [_record('a'), _record('b')]
    keystone = PickyKeystone()
    found = _all(_endorsed(keystone, tags))
    keystone.refuse.add(found[0].tag)
    keystone.reject.add(found[1].tag)
    assert decisions.unendorse(keystone, PORT, found[0]) is False
    with pytest.raises(neutron.NeutronError) as err:
        decisions.unendorse(keystone, PORT, found[1])
    assert err.value.status == 400
    keystone.refuse.clear()
    assert decisions.unendorse(keystone, PORT, found[0]) is True
    assert found[0].tag not in keystone.data['p']['tags']


def test_drop_endorsements_counts_what_it_could_not_remove():
    tags = [_record(r) for r in ('gone', 'refused', 'refused too', 'failed',
                                 'none')]
    keystone = PickyKeystone()
    endorsed = _endorsed(keystone, tags[:4])      # 'none' has none
    left = [rec.endorsement_tag('ports', PORT['id'], t, 'admin')
            for t in tags[1:4]]
    assert {e.tag for e in _all(endorsed)} >= set(left)
    keystone.refuse.update(left[:2])
    keystone.reject.add(left[2])
    note = decisions.drop_endorsements(keystone, PORT, _records(tags),
                                       endorsed)
    assert note.startswith('3 endorsement(s) of removed exception records '
                           'could not be removed')
    assert keystone.data['p']['tags'] == left
    keystone.refuse.clear()
    keystone.reject.clear()
    assert decisions.drop_endorsements(keystone, PORT, _records(tags),
                                       endorsed) == ''
    assert keystone.data['p']['tags'] == []


def test_drop_endorsements_with_nothing_to_drop_says_nothing():
    assert decisions.drop_endorsements(PickyKeystone(), PORT, [], {}) == ''
    assert decisions.drop_endorsements(
        PickyKeystone(), PORT, _records([_record('x')]), None) == ''


def test_prune_counts_the_endorsements_it_removed():
    keystone = PickyKeystone()
    stale = _endorsed(keystone, [_record(r) for r in 'abc'])
    inv = inventory_mod.Inventory(endorsements={'p': stale})
    refused = sorted(e.tag for e in _all(stale))[0]
    keystone.refuse.add(refused)
    assert decisions.prune(keystone, inv, 'p') == 2
    assert keystone.data['p']['tags'] == [refused]


def test_prune_with_no_endorsement_removes_nothing():
    keystone = PickyKeystone()
    inv = inventory_mod.Inventory(endorsements={'p': {}})
    assert decisions.prune(keystone, inv, 'p') == 0
    assert decisions.prune(keystone, inventory_mod.Inventory(), 'p') == 0
    assert keystone.log == []


class _Target:
    """What _drop_older reads of a decisions.Target."""

    def __init__(self, existing, endorsed):
        self.holder_type = 'security_groups'
        self.holder = {'id': 'g', 'project_id': 'p'}
        self.existing, self.endorsed = existing, endorsed


class _Tags:
    """A Neutron that records the tags removed."""

    def __init__(self):
        self.removed = []

    def delete(self, path, **kw):
        self.removed.append(path.rsplit('/', 1)[1])
        return FakeResponse(204, None)


def _decisions(*ages_minutes):
    found = []
    for i, age in enumerate(ages_minutes):
        tag = rec.make_decision_tag(
            'sg-ingress-ssh-from-world', 'rule', datetime.date(2027, 1, 1),
            NOW - datetime.timedelta(minutes=age), 'admin', 'r%d' % i)
        found.append(rec.parse_decision(tag))
    return found


def _removed(existing, endorsed, renew=False):
    import urllib.parse

    neutron_ = _Tags()
    from tests.unit import run_contexts

    decisions._drop_older(run_contexts.context(neutron_, PickyKeystone()),
                          _Target(existing, endorsed), renew, NOW, 'again')
    return sorted(urllib.parse.unquote(t) for t in neutron_.removed)


def test_without_renew_only_settled_requests_go():
    """Newest first, as the target lists them: a young request (another
    admin's accept, its endorsement not yet seen) stays; an endorsed
    decision stays; a request older than any run lasts goes."""
    settled = decisions.REQUEST_SETTLED.total_seconds() / 60
    young, endorsed, old = _decisions(1, 30, settled + 5)
    assert _removed([young, endorsed, old],
                    {endorsed.tag: (rec.Endorsement('admin', 'e'),)}) == [
        old.tag]
    assert _removed([young, endorsed, old], {}) == sorted([endorsed.tag,
                                                           old.tag])


def test_a_request_exactly_settled_goes():
    [edge] = _decisions(decisions.REQUEST_SETTLED.total_seconds() / 60)
    assert _removed([edge], {}) == [edge.tag]


def test_with_renew_every_older_decision_goes():
    young, old = _decisions(1, 60)
    assert _removed([young, old], {old.tag: (rec.Endorsement('a', 'e'),)},
                    renew=True) == sorted([young.tag, old.tag])


# --- approve ---------------------------------------------------------

class FailingKeystone(PickyKeystone):
    """Answers the first `fail` tag writes with an HTTP 500."""

    def __init__(self, fail=0):
        super().__init__()
        self.fail = fail

    def put(self, path, **kw):
        if self.fail:
            self.fail -= 1
            return FakeResponse(500, {'error': {'message': 'busy'}})
        return super().put(path, **kw)


def _group_with(decisions_):
    from tests.unit.clouds import FakeNeutron

    holder = {'id': 'g', 'project_id': 'p',
              'tags': [d.tag for d in decisions_]}
    return FakeNeutron(security_groups=[holder]), holder


def _id(decision):
    return rec.request_id('security_groups', 'g', decision.tag)


def _approve(found, keystone, endorsed=None, **kw):
    """approve as the command runs it, naming the first of found (the
    newest) unless request= says otherwise."""
    from tests.unit import run_contexts

    cloud, holder = _group_with(found)
    ctx = run_contexts.context(cloud, keystone, 'boss',
                               now=kw.pop('now', NOW))
    outcome, chosen = decisions.approve(
        ctx, decisions.Held('security_groups', holder, found,
                            endorsed or {}),
        kw.pop('request', _id(found[0])), **kw)
    return (str(outcome), chosen), cloud.data['security-groups'][0]['tags']


def test_approve_endorses_the_named_and_removes_every_older():
    newest, older, oldest = _decisions(1, 20, 40)
    keystone = PickyKeystone()
    old_endorsement = rec.Endorsement('admin', rec.endorsement_tag(
        'security_groups', 'g', older.tag, 'admin'))
    keystone.data['p']['tags'].append(old_endorsement.tag)
    (action, chosen), tags = _approve([newest, older, oldest], keystone,
                                      {older.tag: (old_endorsement,)})
    assert (action, chosen) == ('approved', newest)
    assert tags == [newest.tag]
    assert keystone.data['p']['tags'] == [rec.endorsement_tag(
        'security_groups', 'g', newest.tag, 'boss')]


def test_approve_refuses_decisions_on_two_items():
    a = _decisions(1)[0]
    other = rec.parse_decision(rec.make_decision_tag(
        'sg-ingress-ssh-from-world', 'other-rule', datetime.date(2027, 1, 1),
        NOW, 'admin', 'x'))
    with pytest.raises(harden.Refused, match='decisions on 2 items'):
        _approve([a, other], PickyKeystone())


def test_approve_dry_run_says_who_approved_it_already():
    [newest] = _decisions(1)
    (action, _), _ = _approve([newest], PickyKeystone(), {
        newest.tag: (rec.Endorsement('carol', 'e'),)}, dry_run=True)
    assert action == 'already approved by carol'
    (action, _), _ = _approve([newest], PickyKeystone(), dry_run=True)
    assert action == 'would be approved'


@pytest.mark.parametrize('fail, said', [
    (3, 'the approval may or may not be recorded'),
    (0, None)])
def test_approve_shares_one_error_budget(fail, said):
    [newest] = _decisions(1)
    if said is None:
        (action, _), _ = _approve([newest], FailingKeystone(2))
        assert action == 'approved'       # two errors absorbed
        return
    with pytest.raises(harden.Refused, match=said):
        _approve([newest], FailingKeystone(fail))


def test_approve_refused_at_once_changed_nothing():
    [newest] = _decisions(1)

    class Refusing(PickyKeystone):
        def put(self, path, **kw):
            return FakeResponse(400, {'error': {'message': 'bad'}})

    with pytest.raises(harden.Refused, match='nothing was changed'):
        _approve([newest], Refusing())


def test_the_budget_covers_the_write_and_the_read_back():
    """Two errors writing and one reading back are three errors of one
    step: it gives up, as it would after three of either."""
    [newest] = _decisions(1)

    class Flaky(FailingKeystone):
        def get(self, path, params=None, **kw):
            if self.fail_reads:
                self.fail_reads -= 1
                return FakeResponse(503, {'error': {'message': 'busy'}})
            return super().get(path, params=params, **kw)

    keystone = Flaky(2)
    keystone.fail_reads = 1
    with pytest.raises(harden.Refused, match='may or may not'):
        _approve([newest], keystone)
    keystone = Flaky(1)
    keystone.fail_reads = 1
    (action, _), _ = _approve([newest], keystone)
    assert action == 'approved'


def test_settle_exception_endorses_in_the_approvers_name():
    keystone = PickyKeystone()
    [record] = _records([_record('appliance')])
    from tests.unit import run_contexts

    settled, note = decisions.settle_exception(
        run_contexts.context(None, keystone, 'carol'), PORT, record, [], {})
    assert (settled, note) == (decisions.Settled.ENDORSED, '')
    found = rec.endorsements_in(keystone.data['p']['tags'])
    assert {d: e.by for d, [e] in found.items()} == {
        rec.digest('ports', PORT['id'], record.tag): 'carol'}


def _one(granted, review_by):
    return rec.parse_decision(rec.make_decision_tag(
        'sg-ingress-ssh-from-world', 'rule', review_by, granted, 'admin',
        'member wrote it'))


def test_approve_refuses_a_record_granted_in_the_future():
    """A member's record granted in 2100 (reviewed then too: 27,000 days
    left) next to the request the admin reviewed is the newest: approve
    refuses it and nothing changes (the reviewed one stays)."""
    reviewed = _decisions(30)[0]
    for record, said in (
            (_one(datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc),
                  datetime.date(2027, 1, 1)), 'in the future'),
            (_one(datetime.datetime(2100, 1, 1, tzinfo=datetime.timezone.utc),
                  datetime.date(2100, 11, 30)), 'in the future')):
        keystone = PickyKeystone()
        with pytest.raises(harden.Refused, match=said):
            _approve([record, reviewed], keystone, now=NOW,
                     request=_id(record))
        assert keystone.data['p']['tags'] == []
        assert [m for m, _ in keystone.log if m != 'GET'] == []


def test_approve_refuses_a_request_whose_finding_does_not_occur():
    """A request written before the finding exists (an address group the
    member will widen later) is not approved: nothing to review yet."""
    from xloudclient.audit.finding import Finding

    [request] = _decisions(30)
    keystone = PickyKeystone()
    with pytest.raises(harden.Refused, match='reports nothing on '
                       'security group rule rule now'):
        _approve([request], keystone, findings=[], now=NOW)
    assert keystone.data['p']['tags'] == []
    finding = Finding(severity='high', check='sg-ingress-ssh-from-world',
                      resource_type='security group rule',
                      resource_id='rule', resource_name='', project_id='p',
                      detail='', remediation='')
    (action, _), _ = _approve([request], keystone, findings=[finding],
                              now=NOW)
    assert action == 'approved'


def test_approve_endorses_the_record_reviewed_not_the_newest():
    """The member adds a record (90 days, another reason) next to the one
    the admin reviewed: approved by the reviewed one's ID, that one is
    endorsed and the member's goes."""
    reviewed, = _decisions(30)
    added = _one(NOW, datetime.date(2027, 3, 1))
    keystone = PickyKeystone()
    (action, chosen), tags = _approve([added, reviewed], keystone,
                                      request=_id(reviewed), now=NOW)
    assert (action, chosen) == ('approved', reviewed)
    assert tags == [reviewed.tag]
    assert keystone.data['p']['tags'] == [rec.endorsement_tag(
        'security_groups', 'g', reviewed.tag, 'boss')]


@pytest.mark.parametrize('request_', ['', 'ffffffffffffffff'])
def test_approve_without_the_reviewed_id_changes_nothing(request_):
    first, second = _decisions(1, 30)
    keystone = PickyKeystone()
    with pytest.raises(harden.Refused) as err:
        _approve([first, second], keystone, request=request_, now=NOW)
    said = str(err.value)
    assert 'nothing was changed' in said and '\n' not in said
    if not request_:
        assert _id(first) in said and _id(second) in said
    assert keystone.data['p']['tags'] == []
    assert [m for m, _ in keystone.log if m != 'GET'] == []


def _finding(*basis):
    from xloudclient.audit.finding import Finding

    return Finding(severity='high', check='sg-ingress-ssh-from-world',
                   resource_type='security group rule', resource_id='rule',
                   resource_name='', project_id='p', detail='',
                   remediation='', basis=basis)


def test_approving_a_changed_finding_binds_it_anew_and_drops_the_old():
    [decision] = _decisions(30)
    keystone = PickyKeystone()
    before = rec.endorsement_tag('security_groups', 'g', decision.tag,
                                 'admin', ('rules', 'rule', 'a'))
    keystone.data['p']['tags'].append(before)
    endorsed = {decision.tag: (rec.parse_endorsement(before)[1],)}
    (action, _), _ = _approve([decision], keystone, endorsed, now=NOW,
                              findings=[_finding('rules', 'rule', 'a')])
    assert action == 'already approved'
    assert keystone.data['p']['tags'] == [before]
    (action, _), _ = _approve([decision], keystone, endorsed, now=NOW,
                              findings=[_finding('rules', 'rule', 'b')],
                              dry_run=True)
    assert action == 'would be approved again (its finding changed)'
    (action, _), _ = _approve([decision], keystone, endorsed, now=NOW,
                              findings=[_finding('rules', 'rule', 'b')])
    assert action == 'approved'
    assert keystone.data['p']['tags'] == [rec.endorsement_tag(
        'security_groups', 'g', decision.tag, 'boss', ('rules', 'rule', 'b'))]


def test_prune_all_goes_on_past_a_failure_and_says_each_outcome():
    keystone = PickyKeystone()
    stale = _endorsed(keystone, [_record(r) for r in 'abc'])
    inv = inventory_mod.Inventory(endorsements={'p': stale})
    tags = sorted(e.tag for e in _all(stale))
    keystone.refuse.add(tags[0])
    keystone.reject.add(tags[1])
    assert [o.action for o in decisions.prune_all(keystone, inv, True)] == [
        'would be removed'] * 3
    assert sorted(keystone.data['p']['tags']) == tags
    done = decisions.prune_all(keystone, inv)
    assert [(o.endorsement.tag, o.action.split(':')[0]) for o in done] == [
        (tags[0], 'failed'), (tags[1], 'failed'), (tags[2], 'removed')]
    assert 'refused' in done[0].action
    assert sorted(keystone.data['p']['tags']) == tags[:2]
