"""Accept a finding as a reviewed decision, revoke it, list decisions.

A decision is one tag on the resource the finding names (a rule's on its
security group): see exception_record. Accepting writes one tag (Neutron
adds a tag atomically, so concurrent decisions on one resource all stay);
renewing writes the new tag and then removes the older ones of the same
check and item; revoking removes them. Accepting port-security-disabled
(or its overdue exception) is `port security disable --renew`: the same
record, with the groups to restore.
"""

import dataclasses
import datetime
from xloudclient.audit import decisions
from xloudclient import exception_record as rec
from xloudclient import inert_text
from xloudclient import neutron

COLLECTIONS = {'ports': 'ports', 'networks': 'networks',
               'routers': 'routers', 'floatingips': 'floatingips',
               'security_groups': 'security-groups'}
PORT_SECURITY_CHECKS = ('port-security-disabled',
                        'port-security-exception-overdue')
NOT_ACCEPTABLE = ('accepted-review-overdue', 'accepted-record-invalid')


class AcceptError(neutron.Explained):
    """A refusal or failure, in one line."""


@dataclasses.dataclass
class Target:
    """The finding a decision is about, and where the decision lives."""

    finding: object
    holder_type: str          # inventory type: ports, security_groups...
    holder: dict              # the resource carrying the tag
    item: str
    existing: list            # decisions of this check and item there


def check_acceptable(check_id, catalog_ids):
    if check_id not in catalog_ids:
        raise AcceptError('no check %r (see `openstack network harden '
                          'check list`)' % check_id[:80])
    if check_id in NOT_ACCEPTABLE:
        raise AcceptError('%s is about decisions themselves: renew or '
                          'revoke the decision it names' % check_id)


def find(findings, check_id, ref, key=None):
    """The one finding of check_id on the resource ref (ID or name)."""
    matches = [f for f in findings if f.check == check_id and
               ref in (f.resource_id, f.resource_name)]
    if key is not None:
        matches = [f for f in matches if f.key == key]
    if not matches:
        raise AcceptError(
            '%s reports nothing on %r%s in this scope: accept what the '
            'audit shows (`openstack network harden audit --check %s`)'
            % (check_id, ref[:80], ' with key %r' % key[:80] if key
               else '', check_id))
    if len({f.resource_id for f in matches}) > 1:
        raise AcceptError('more than one resource named %r has a %s '
                          'finding: give its ID' % (ref[:80], check_id))
    if len(matches) > 1:
        raise AcceptError('%s reports %d findings on %s (detail keys %s): '
                          'give --key' % (check_id, len(matches), ref[:80],
                                          ', '.join(sorted(f.key for f in
                                                           matches))))
    return matches[0]


def target(finding, inventory):
    rtype, holder_id, item = decisions.holder(finding, inventory)
    holder = inventory.by_type(rtype).get(holder_id) if rtype else None
    if holder is None:
        raise AcceptError('cannot find where to record a decision on %s %s'
                          % (finding.resource_type, finding.resource_id))
    existing = [d for d in rec.decisions_in(holder.get('tags'))[0]
                if d.check == finding.check and d.item == item]
    return Target(finding, rtype, holder, item, existing)


def accept(client, tgt, reason, review_by, granted_by, renew=False,
           dry_run=False, now=None):
    """Write the decision; returns (action, tag). Refuses an existing
    decision without renew; with renew, the older ones go after the new
    one is written."""
    if tgt.existing and not renew:
        old = tgt.existing[0]
        raise AcceptError(
            '%s on %s is already accepted until %s by %s (reason: %s); use '
            '--renew to replace it' % (
                tgt.finding.check, tgt.finding.resource_id,
                old.review_by.isoformat(), old.granted_by or '?',
                neutron.bounded(old.reason, 80)))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    latest = max((d.granted for d in tgt.existing), default=None)
    if latest is not None and latest >= now.replace(microsecond=0):
        now = latest + datetime.timedelta(seconds=1)     # newer, always
    tag = rec.make_decision_tag(tgt.finding.check, tgt.item, review_by,
                                now, granted_by, reason)
    action = 'renewed' if tgt.existing else 'accepted'
    if dry_run:
        return 'would be ' + action, tag
    collection, holder_id = COLLECTIONS[tgt.holder_type], tgt.holder['id']
    again = '`%s`' % inert_text.command(
        'openstack', 'network', 'harden', 'accept', tgt.finding.check,
        tgt.finding.resource_id,
        *(('--key', tgt.finding.key) if tgt.finding.key else ()),
        '--renew', '--reason', reason, '--review-by', review_by.isoformat())
    errors = neutron.ErrorBudget()
    try:
        neutron.retried(neutron.add_tag, client, collection, holder_id, tag,
                        budget=errors)
    except Exception as e:
        if len(errors.errors) == 0:      # refused at once: nothing landed
            raise AcceptError('%s; nothing was changed'
                              % neutron.describe(e))
        raise AcceptError('%s; the decision may or may not be recorded: '
                          'run %s' % (neutron.describe(e), again))
    for old in tgt.existing:
        try:
            neutron.retried(neutron.remove_tag, client, collection,
                            holder_id, old.tag)
        except Exception as e:
            raise AcceptError(
                'the new decision is recorded, but an older one could not '
                'be removed (%s): run %s' % (neutron.describe(e), again))
    return action, tag


def revoke(client, rtype, holder, found, dry_run=False):
    """Remove the decisions found on holder; returns the action."""
    if dry_run:
        return 'would be revoked'
    for done, decision in enumerate(found):
        try:
            neutron.retried(neutron.remove_tag, client, COLLECTIONS[rtype],
                            holder['id'], decision.tag)
        except Exception as e:
            raise AcceptError(
                '%s; %d of %d decisions are still recorded: run `%s` again'
                % (neutron.describe(e), len(found) - done, len(found),
                   inert_text.command(
                       'openstack', 'network', 'harden', 'revoke',
                       decision.check, holder['id'],
                       *(('--key', decision.item) if decision.item
                         else ()))))
    return 'revoked'


def find_decisions(inventory, check_id, ref, key=None):
    """(inventory type, holder, [decisions]) of check_id naming ref: the
    resource's ID or name, or a rule's ID for a decision on its group."""
    hits = []
    for rtype, resource, found, _ in decisions.on_resources(inventory):
        mine = [d for d in found if d.check == check_id and (
            ref in (resource['id'], resource.get('name')) or
            (d.item and d.item == ref)) and (key is None or d.item == key)]
        if mine:
            hits.append((rtype, resource, mine))
    if not hits:
        raise AcceptError('no accepted %s decision on %r in this scope (see '
                          '`openstack network harden accepted list`)'
                          % (check_id, ref[:80]))
    if len(hits) > 1:
        raise AcceptError('more than one resource named %r has an accepted '
                          '%s decision: give its ID' % (ref[:80], check_id))
    return hits[0]


@dataclasses.dataclass
class Row:
    decision: object
    rtype: str
    resource: dict
    status: str               # accepted | overdue | stale


def list_decisions(inventory, findings, today, overdue_only=False):
    """Every decision in the inventory (port-security exceptions too) with
    its status: overdue past its review date, stale when the finding it
    covered no longer occurs, else accepted."""
    rows, current = [], decisions.covered(findings, inventory)
    for rtype, resource, found, _ in decisions.on_resources(inventory):
        for decision in found:
            if decision.is_overdue(today):
                status = 'overdue'
            elif decision.check in PORT_SECURITY_CHECKS:
                status = 'accepted' if resource.get(
                    'port_security_enabled') is False else 'stale'
            elif decisions.key(decision, rtype, resource) in current:
                status = 'accepted'
            else:
                status = 'stale'
            if overdue_only and status != 'overdue':
                continue
            rows.append(Row(decision, rtype, resource, status))
    rows.sort(key=lambda r: (r.resource.get('project_id') or '',
                             r.decision.check, r.resource['id'],
                             r.decision.item))
    return rows
