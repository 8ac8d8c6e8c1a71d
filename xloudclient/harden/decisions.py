"""Accept a finding as a reviewed decision, approve a request, revoke a
decision, list accepted.

A decision is one tag on the resource the finding names (a rule's on its
security group) and counts only with its endorsement, a tag on the
resource's Keystone project that only an admin may write: see
records.py. Accepting writes the record, then the endorsement
(Neutron and Keystone add a tag atomically, so concurrent decisions on one
resource all stay); when Keystone refuses the endorsement (a member's
token) the record stays as a request, hiding nothing, until an admin
approves it. Renewing writes the new decision and then removes the older
ones of the same check and item (endorsement first, then record);
revoking removes them the same way. Accepting port-security-disabled (or
its overdue exception) is `port security disable --renew`: the same
record, with the groups to restore.
"""

import dataclasses
import datetime
import enum
import random
import time

from xloudclient.audit import accepted
from xloudclient.cloud import keystone
from xloudclient.cloud import neutron
from xloudclient.cloud import resources
from xloudclient import inert_text
from xloudclient import records as rec
from xloudclient import harden

PORT_SECURITY_CHECKS = ('port-security-disabled',
                        'port-security-exception-overdue')
REQUEST_SETTLED = datetime.timedelta(minutes=10)
NOT_ACCEPTABLE = ('accepted-review-overdue', 'accepted-record-invalid')


class Action(enum.Enum):
    """What a decision command did (or, in a dry run, would do)."""

    ACCEPTED = 'accepted'
    RENEWED = 'renewed'
    REQUESTED = 'requested'         # recorded; an admin approves it
    APPROVED = 'approved'
    APPROVED_AGAIN = 'approved again'   # for a finding that changed
    ALREADY_APPROVED = 'already approved'
    REVOKED = 'revoked'


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A decision command's outcome: the Action, whether it was a dry
    run, the rest of the sentence a person reads (note), and the record
    written, if any."""

    action: Action
    dry_run: bool = False
    note: str = ''
    record: str = ''

    def __str__(self):
        verb = self.action.value
        if self.dry_run and self.action is not Action.ALREADY_APPROVED:
            verb = 'would be ' + verb
        return verb + self.note


@dataclasses.dataclass
class Held:
    """The decisions of one check and item on one resource (holder, of
    inventory type rtype), and the endorsements of those an admin
    endorsed: {record tag: (Endorsement, ...)}."""

    rtype: str
    holder: dict
    found: list
    endorsed: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Target:
    """The finding a decision is about, and where the decision lives."""

    finding: object
    holder_type: str          # inventory type: ports, security_groups...
    holder: dict              # the resource carrying the tag
    item: str
    existing: list            # decisions of this check and item there
    endorsed: dict = dataclasses.field(default_factory=dict)
    # {record tag: (Endorsement, ...)} of the existing ones an admin
    # endorsed


def check_acceptable(check_id, catalog_ids):
    if check_id not in catalog_ids:
        raise harden.Refused('no check %r (see `openstack network harden '
                             'check list`)' % check_id[:80])
    if check_id in NOT_ACCEPTABLE:
        raise harden.Refused('%s is about decisions themselves: renew or '
                             'revoke the decision it names' % check_id)
    if check_id == 'cloud-unfiltered':
        raise harden.Refused('cloud-unfiltered is about the whole cloud, '
                             'which holds no decision: fix it (a --baseline '
                             'holds it in CI meanwhile)')


def find(findings, check_id, ref, key=None):
    """The one finding of check_id on the resource ref (ID or name)."""
    matches = [f for f in findings if f.check == check_id and
               ref in (f.resource_id, f.resource_name)]
    if key is not None:
        matches = [f for f in matches if f.key == key]
    if not matches:
        raise harden.Refused(
            '%s reports nothing on %r%s in this scope: accept what the '
            'audit shows (`openstack network harden audit --check %s`)'
            % (check_id, ref[:80], ' with key %r' % key[:80] if key
               else '', check_id))
    if len({f.resource_id for f in matches}) > 1:
        raise harden.Refused('more than one resource named %r has a %s '
                             'finding: give its ID' % (ref[:80], check_id))
    if len(matches) > 1:
        raise harden.Refused('%s reports %d findings on %s (detail keys %s): '
                             'give --key' % (check_id, len(matches), ref[:80],
                                             ', '.join(sorted(f.key for f in
                                                              matches))))
    return matches[0]


def target(finding, inventory):
    rtype, holder_id, item = accepted.holder(finding, inventory)
    holder = inventory.by_type(rtype).get(holder_id) if rtype else None
    if holder is None:
        raise harden.Refused('cannot find where to record a decision on %s %s'
                             % (finding.resource_type, finding.resource_id))
    existing = [d for d in rec.decisions_in(holder.get('tags'))[0]
                if d.check == finding.check and d.item == item]
    endorsed = {d.tag: es for d in existing
                for es in [accepted.endorsements(inventory, rtype, holder, d)]
                if es}
    return Target(finding, rtype, holder, item, existing, endorsed)


def approve_command(check, target, key='', request=''):
    """The argv of `network harden approve` for a decision (request: its
    records.request_id)."""
    return ('openstack', 'network', 'harden', 'approve', check, target) + \
        (('--key', key) if key else ()) + \
        (('--request', request) if request else ())


def endorse(identity, holder, endorsement, budget=None):
    """Write the endorsement (records.endorsement_tag: the record on
    holder, bound to the finding's basis as the approver saw it) on
    holder's project; False when Keystone refuses it (403: the token may
    not write its project's tags). Idempotent, retried through transient
    errors."""
    project = holder.get('project_id') or ''
    if not project:
        raise harden.Refused('%s belongs to no project: a decision on it '
                             'cannot be endorsed' % holder['id'])
    try:
        _settle_tag(identity, project, endorsement, True, budget)
    except neutron.NeutronError as e:
        if e.status == 403:
            return False
        raise
    return True


def unendorse(identity, holder, endorsement):
    """Remove an endorsement (retried); False when Keystone refuses."""
    try:
        _settle_tag(identity, holder.get('project_id') or '',
                    endorsement.tag, False, None)
    except neutron.NeutronError as e:
        if e.status == 403:
            return False
        raise
    return True


SETTLE_ROUNDS = 5


def _settle_tag(identity, project, tag, present, budget):
    """Add (present) or remove a project tag, then read the project back
    until the tag is there (or gone), writing again if not: Keystone adds
    and removes a tag by rewriting the project's whole list, so a
    concurrent change to the same project's tags can undo ours."""
    write = keystone.add_tag if present else keystone.remove_tag
    for round_ in range(SETTLE_ROUNDS):
        if round_:              # out of step with the other writer
            time.sleep(random.uniform(0.05, 0.2 * round_))
        neutron.retried(write, identity, project, tag, budget=budget)
        found = neutron.retried(keystone.tags, identity, project,
                                budget=budget)
        if (tag in found) == present:
            return
    raise harden.Refused(
        'Keystone kept %s an endorsement on project %s (concurrent changes '
        'to its tags): run the command again'
        % ('losing' if present else 'restoring', project))


class Settled(enum.Enum):
    """What an exception became once its endorsement was tried."""

    ENDORSED = 'endorsed'       # it documents the port
    REQUESTED = 'requested'     # Keystone refused: an admin approves it


def settle_exception(ctx, port, record, replaced, endorsements):
    """After `port security disable`: endorse the record now on the port
    as the run's user and remove the endorsements of the records it
    replaced (endorsements: the port's project's, {digest: (Endorsement,
    ...)}). Returns (Settled, a note for the admin: '' when nothing is
    left to say)."""
    identity = ctx.identity
    approve = inert_text.command(*approve_command(
        rec.PORT_SECURITY_CHECK, port['id'], '',
        rec.request_id('ports', port['id'], record.tag)))
    try:
        endorsed = endorse(identity, port, rec.endorsement_tag(
            'ports', port['id'], record.tag, ctx.user))
    except Exception as e:
        raise harden.Refused(
            'port security is off and the exception recorded, but not '
            'endorsed (%s): the audit reports the port until an admin runs '
            '`%s`' % (neutron.describe(e), approve))
    if not endorsed:
        return Settled.REQUESTED, (
            'the exception is a request: the audit reports the port until an '
            'admin runs `%s`' % approve)
    return Settled.ENDORSED, drop_endorsements(identity, port, replaced,
                                               endorsements)


def drop_endorsements(identity, port, records, endorsements):
    """Remove the endorsements of records no longer on the port (an
    enable, or a renew, removed them); returns a note of what is left."""
    left = 0
    for record in records:
        for found in (endorsements or {}).get(rec.digest(
                'ports', port['id'], record.tag), ()):
            try:
                if not unendorse(identity, port, found):
                    left += 1
            except Exception:
                left += 1
    if not left:
        return ''
    return ('%d endorsement(s) of removed exception records could not be '
            'removed from the project (they document only those records, '
            'on this port, until their review dates)' % left)


orphans = accepted.orphans


def prune(identity, inventory, project_id):
    """Remove the orphans() of project_id; returns how many went
    (failures are left for the next run)."""
    gone = 0
    for endorsement in orphans(inventory, project_id):
        try:
            if unendorse(identity, {'project_id': project_id}, endorsement):
                gone += 1
        except Exception:
            pass
    return gone


@dataclasses.dataclass(frozen=True)
class Pruned:
    """One endorsement a prune took up: what became of it (action, the
    words) and whether that was a failure."""

    project_id: str
    digest: str
    endorsement: object
    action: str
    failed: bool = False


def prune_all(identity, inventory, dry_run=False):
    """[Pruned] for the orphans() of every project whose endorsements the
    inventory holds: removed, would be removed, or failed (and why); one
    failure does not stop the others."""
    done = []
    for project_id in sorted(inventory.endorsements or {}):
        for digest, endorsement in orphans(inventory, project_id,
                                           with_digest=True):
            action, failed = 'would be removed', False
            if not dry_run:
                try:
                    if unendorse(identity, {'project_id': project_id},
                                 endorsement):
                        action = 'removed'
                    else:
                        action, failed = 'failed: Keystone refused (403)', \
                            True
                except Exception as e:
                    action, failed = 'failed: %s' % neutron.describe(e), True
            done.append(Pruned(project_id, digest, endorsement, action,
                               failed))
    return done


def _forget(ctx, rtype, holder, decision, found=()):
    """Remove one decision: its endorsements (found), then its record.
    A refused endorsement removal leaves the record alone."""
    for endorsement in found or ():
        if not unendorse(ctx.identity, holder, endorsement):
            return False
    neutron.retried(neutron.remove_tag, ctx.neutron,
                    resources.TYPES[rtype].path, holder['id'], decision.tag)
    return True


def accept(ctx, tgt, terms, inventory=None):
    """Write the decision (terms: records.Terms) and its endorsement as the
    run's user; returns an Outcome: ACCEPTED or RENEWED, or REQUESTED when
    Keystone refuses the endorsement. Refuses an endorsed decision without
    terms.renew; with it, the older ones go once the new one is endorsed (a
    request leaves them be). With the inventory the command read (after the
    endorsements), endorsements naming no record are pruned. The
    endorsement binds the finding's basis as it is now."""
    current = _current(tgt, terms.renew)
    now = _grant_time(tgt, ctx.now)
    tag = rec.make_decision_tag(tgt.finding.check, tgt.item,
                                terms.review_by, now, ctx.user.name,
                                terms.reason)
    action = Action.RENEWED if current else Action.ACCEPTED
    if terms.dry_run:
        if not ctx.is_admin:
            return Outcome(Action.REQUESTED, True,
                           ' (an admin approves it)', tag)
        return Outcome(action, True, '', tag)
    again = '`%s`' % inert_text.command(
        'openstack', 'network', 'harden', 'accept', tgt.finding.check,
        tgt.finding.resource_id,
        *(('--key', tgt.finding.key) if tgt.finding.key else ()),
        '--renew', '--reason', terms.reason, '--review-by',
        terms.review_by.isoformat())
    _record(ctx.neutron, tgt, tag, again)
    approve = _endorse(ctx, tgt, tag)
    if approve:
        return Outcome(Action.REQUESTED, False,
                       ' (an admin approves it with %s)' % approve, tag)
    if inventory is not None:
        prune(ctx.identity, inventory, tgt.holder.get('project_id') or '')
    _drop_older(ctx, tgt, terms.renew, now, again)
    return Outcome(action, False, '', tag)


def _current(tgt, renew):
    """The endorsed decisions already on the finding; harden.Refused when
    there is one and renew was not asked for."""
    current = [d for d in tgt.existing if d.tag in tgt.endorsed]
    if current and not renew:
        old = current[0]
        changed = rec.covering(tgt.endorsed[old.tag],
                               tgt.finding.basis) is None
        raise harden.Refused(
            '%s on %s is already accepted until %s by %s (reason: %s)%s; use '
            '--renew to replace it' % (
                tgt.finding.check, tgt.finding.resource_id,
                old.review_by.isoformat(), old.granted_by or '?',
                neutron.bounded(old.reason, 80),
                ', for the finding as it was before it changed' if changed
                else ''))
    return current


def _grant_time(tgt, now):
    """Now, or a second after the newest existing decision: a new one is
    always the newest."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    latest = max((d.granted for d in tgt.existing), default=None)
    if latest is not None and latest >= now.replace(microsecond=0):
        now = latest + datetime.timedelta(seconds=1)
    return now


def _record(client, tgt, tag, again):
    """Add the decision's tag to its holder; harden.Refused saying whether
    anything may have landed."""
    errors = neutron.ErrorBudget()
    try:
        neutron.retried(neutron.add_tag, client,
                        resources.TYPES[tgt.holder_type].path,
                        tgt.holder['id'], tag, budget=errors)
    except Exception as e:
        if len(errors.errors) == 0:      # refused at once: nothing landed
            raise harden.Refused('%s; nothing was changed'
                                 % neutron.describe(e))
        raise harden.Refused('%s; the decision may or may not be recorded: '
                             'run %s' % (neutron.describe(e), again))


def _endorse(ctx, tgt, tag):
    """Endorse the recorded decision as the run's user: '' when endorsed,
    else the command that approves the request (Keystone refused)."""
    key = '' if tgt.holder_type == 'security_groups' and tgt.item else \
        tgt.item
    approve = '`%s`' % inert_text.command(*approve_command(
        tgt.finding.check, tgt.finding.resource_id, key,
        rec.request_id(tgt.holder_type, tgt.holder['id'], tag)))
    try:
        endorsed = endorse(ctx.identity, tgt.holder, rec.endorsement_tag(
            tgt.holder_type, tgt.holder['id'], tag, ctx.user,
            tgt.finding.basis))
    except Exception as e:
        raise harden.Refused(
            'the decision is recorded but not endorsed (%s): it hides '
            'nothing until an admin runs %s' % (neutron.describe(e),
                                                approve))
    return '' if endorsed else approve


def _drop_older(ctx, tgt, renew, now, again):
    """Remove the decisions the new one replaces."""
    for old in tgt.existing:
        # Without --renew only requests go, and only those older than any
        # run lasts: a young one may be another admin's accept of the same
        # finding, whose endorsement this run read too early to see.
        if not renew and (old.tag in tgt.endorsed or
                          old.granted > now - REQUEST_SETTLED):
            continue
        try:
            _forget(ctx, tgt.holder_type, tgt.holder, old,
                    tgt.endorsed.get(old.tag))
        except Exception as e:
            raise harden.Refused(
                'the new decision is recorded, but an older one could not '
                'be removed (%s): run %s' % (neutron.describe(e), again))


def revoke(ctx, held, dry_run=False):
    """Remove the decisions held (each endorsement, then its record);
    returns an Outcome (REVOKED)."""
    if dry_run:
        return Outcome(Action.REVOKED, True)
    holder, found, kept = held.holder, held.found, []
    for done, decision in enumerate(found):
        try:
            if not _forget(ctx, held.rtype, holder, decision,
                           held.endorsed.get(decision.tag)):
                kept.append(decision)
        except Exception as e:
            raise harden.Refused(
                '%s; %d of %d decisions are still recorded: run `%s` again'
                % (neutron.describe(e), len(found) - done, len(found),
                   inert_text.command(
                       'openstack', 'network', 'harden', 'revoke',
                       decision.check, holder['id'],
                       *(('--key', decision.item) if decision.item
                         else ()))))
    if kept:
        raise harden.Refused(
            'Keystone refused to remove the endorsement of %d of %d '
            'decisions (an admin approved them, and only an admin may '
            'revoke them); those are unchanged' % (len(kept), len(found)))
    return Outcome(Action.REVOKED)


# An approval covers what was reviewed: a record granted later than now
# (beyond clock skew) or due for review more than a year ahead was not.
CLOCK_SKEW = datetime.timedelta(minutes=5)
LONGEST_REVIEW = datetime.timedelta(days=366)


def finding_of(findings, check_id, rtype, holder, decision):
    """The finding the decision is about, as the audit reports it now (a
    rule's finding names the rule; others the holder and the item as
    their detail key), or None."""
    for f in findings:
        if f.check != check_id:
            continue
        if rtype == 'security_groups' and decision.item:
            if f.resource_id == decision.item:
                return f
        elif f.resource_id == holder['id'] and (
                not decision.item or f.key == decision.item):
            return f
    return None


def _refuse_unreviewed(chosen, now):
    """harden.Refused for a record an admin cannot have reviewed as it is:
    granted in the future, or reviewed more than a year ahead."""
    if chosen.granted > now + CLOCK_SKEW:
        raise harden.Refused(
            'the decision says it was granted %s, in the future: it was not '
            'written by this tool; revoke it; nothing was changed'
            % chosen.granted.strftime('%Y-%m-%dT%H:%M:%SZ'))
    if chosen.review_by > now.date() + LONGEST_REVIEW:
        raise harden.Refused(
            'the decision is due for review on %s, more than a year ahead: '
            'an approval covers at most a year; accept the finding again '
            'with a nearer review date; nothing was changed'
            % chosen.review_by.isoformat())


def _present(findings, rtype, holder, chosen):
    """The finding the chosen decision is about; harden.Refused when the
    findings (if given) lack it. Without findings: one of empty basis."""
    if findings is None:
        return None
    found = finding_of(findings, chosen.check, rtype, holder, chosen)
    if found is None:
        raise harden.Refused(
            '%s reports nothing on %s %s now: a request is approved for a '
            'finding the audit shows, not one that may appear later; '
            'nothing was changed' % (
                chosen.check, 'security group rule' if rtype ==
                'security_groups' and chosen.item else
                resources.spelled(rtype), chosen.item or holder['id']))
    return found


def _chosen(rtype, holder, found, request):
    """The decision among found whose request ID is request; harden.Refused
    (naming the IDs) when none is, or none was given."""
    ids = {rec.request_id(rtype, holder['id'], d.tag): d for d in found}
    where = '`openstack network harden accepted list --requested --long`'
    if not request:
        raise harden.Refused(
            'give --request <id>, the ID of the record you reviewed (%s: %s); '
            'nothing was changed' % (where, ', '.join(sorted(ids))))
    if request.lower() not in ids:
        raise harden.Refused(
            'no %s record with request ID %r on %s %s (it was removed or '
            'replaced; review what is there now: %s); nothing was changed'
            % (found[0].check, request[:40], resources.spelled(rtype),
               holder['id'], where))
    return ids[request.lower()]


def approve(ctx, held, request, dry_run=False, findings=None):
    """Endorse, as the run's user, the decision whose request ID is
    request (one of held.found: one check and item on one resource),
    bound to its finding as the audit reports it now (findings: reported
    and accepted), and remove the others but an endorsed newer one;
    returns (Outcome, the decision). Run again after a failure, it
    finishes what is left. Refused, changing nothing: a record other
    than the one named, a finding that does not occur now, a grant in the
    future, a review more than a year ahead, a past review date."""
    rtype, holder, found, endorsed = (held.rtype, held.holder, held.found,
                                      held.endorsed)
    if len({d.item for d in found}) > 1:
        raise harden.Refused(
            'decisions on %d items of %s %s: give the rule ID or --key '
            '(one of %s)' % (len({d.item for d in found}), rtype,
                             holder['id'], ', '.join(sorted(
                                 d.item for d in found))))
    chosen = _chosen(rtype, holder, found, request)
    finding = _present(findings, rtype, holder, chosen)
    basis = finding.basis if finding is not None else ()
    bound = rec.covering(endorsed.get(chosen.tag), basis)
    if bound is None:
        _refuse_unreviewed(chosen, ctx.now)
    if chosen.is_overdue(ctx.today):
        raise harden.Refused(
            'its review date %s has passed: accept the finding again with '
            'a new review date (`openstack network harden accept %s ... '
            '--renew`); nothing was changed'
            % (chosen.review_by.isoformat(), chosen.check))
    if dry_run:
        if bound:
            return Outcome(Action.ALREADY_APPROVED, True,
                           ' by %s' % bound.by), chosen
        if endorsed.get(chosen.tag):
            return Outcome(Action.APPROVED_AGAIN, True,
                           ' (its finding changed)'), chosen
        return Outcome(Action.APPROVED, True), chosen
    if bound is None:
        _endorse_chosen(ctx, held, chosen, basis)
    _drop_others(ctx, held, chosen, basis)
    return Outcome(Action.ALREADY_APPROVED if bound else
                   Action.APPROVED), chosen


def _endorse_chosen(ctx, held, chosen, basis):
    errors = neutron.ErrorBudget()
    try:
        ok = endorse(ctx.identity, held.holder, rec.endorsement_tag(
            held.rtype, held.holder['id'], chosen.tag, ctx.user, basis),
            budget=errors)
    except Exception as e:
        raise harden.Refused('%s; %s' % (
            neutron.describe(e), 'nothing was changed' if not
            errors.errors else 'the approval may or may not be '
            'recorded: run the command again'))
    if not ok:
        raise harden.Refused(
            'Keystone refused the endorsement: only an admin (or a '
            "manager of the project's domain) may approve a decision; "
            'nothing was changed')


def _drop_others(ctx, held, chosen, basis):
    """After the approval: the chosen record's endorsements of another
    substance go, then every other record of its check and item but an
    endorsed newer one (another admin's later decision)."""
    wanted, endorsed = rec.substance(basis), held.endorsed
    try:
        for old in endorsed.get(chosen.tag) or ():
            if old.substance != wanted:
                unendorse(ctx.identity, held.holder, old)
        for other in held.found:
            if other is chosen or (endorsed.get(other.tag) and
                                   other.order > chosen.order):
                continue
            _forget(ctx, held.rtype, held.holder, other,
                    endorsed.get(other.tag))
    except Exception as e:
        raise harden.Refused(
            'approved, but another decision could not be removed '
            '(%s): run the command again' % neutron.describe(e))


def find_decisions(inventory, check_id, ref, key=None):
    """(inventory type, holder, [decisions]) of check_id naming ref: the
    resource's ID or name, or a rule's ID for a decision on its group."""
    hits = []
    for rtype, resource, found, _ in accepted.on_resources(inventory):
        mine = [d for d in found if d.check == check_id and (
            ref in (resource['id'], resource.get('name')) or
            (d.item and d.item == ref)) and (key is None or d.item == key)]
        if mine:
            hits.append((rtype, resource, mine))
    if not hits:
        raise harden.Refused('no accepted %s decision on %r in this scope '
                             '(see `openstack network harden accepted list`)'
                             % (check_id, ref[:80]))
    if len(hits) > 1:
        raise harden.Refused('more than one resource named %r has an accepted '
                             '%s decision: give its ID' % (ref[:80], check_id))
    return hits[0]


@dataclasses.dataclass
class Row:
    decision: object
    rtype: str
    resource: dict
    status: str               # accepted | overdue | stale | requested
    endorsement: object = None  # who approved it (Endorsement), if anyone


CHANGED = 'stale (finding changed)'


def list_decisions(inventory, findings, today, overdue_only=False,
                   requested_only=False):
    """Every decision in the inventory (port-security exceptions too) with
    its status: requested when no admin endorsed it, overdue past its
    review date, stale when the finding it covered no longer occurs, or
    occurs with another substance than the one approved (CHANGED: the
    port behind the address, the rules or what their remotes hold), else
    accepted."""
    rows, current = [], accepted.covered(findings, inventory)
    for rtype, resource, found, _ in accepted.on_resources(inventory):
        for decision in found:
            status, endorsement = _status(
                decision, resource, accepted.endorsements(
                    inventory, rtype, resource, decision),
                current.get(accepted.key(decision, rtype, resource)), today)
            if (overdue_only and status != 'overdue') or \
                    (requested_only and status != 'requested'):
                continue
            rows.append(Row(decision, rtype, resource, status, endorsement))
    rows.sort(key=lambda r: (r.resource.get('project_id') or '',
                             r.decision.check, r.resource['id'],
                             r.decision.item))
    return rows


def _status(decision, resource, found, now, today):
    """(status, the Endorsement shown) of one decision on resource, given
    its endorsements (found) and the substances of its finding now (None:
    the finding does not occur)."""
    if not found:
        return 'requested', None
    if decision.is_overdue(today):
        return 'overdue', found[0]
    if decision.check in PORT_SECURITY_CHECKS:
        return ('accepted' if resource.get('port_security_enabled') is False
                else 'stale'), found[0]
    if now is None:
        return 'stale', found[0]
    bound = next((e for e in found if e.substance in now), None)
    return ('accepted', bound) if bound else (CHANGED, found[0])
