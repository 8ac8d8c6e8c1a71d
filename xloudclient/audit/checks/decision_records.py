"""Checks over the decision records themselves: overdue (past their
review date), requests (no admin endorsed them), or unreadable. (An
exception past its review date has its own check,
port-security-exception-overdue.)"""

from xloudclient.audit import accepted
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.cloud import resources
from xloudclient import records as rec

NEEDS = tuple(sorted(accepted.TAGGABLE)) + ('security_group_rules',)
EXT = ('standard-attr-tag',)


def _as_resource(rtype, resource):
    return resources.spelled(rtype), dict(
        resource, name=resource.get('name') or
        resource.get('floating_ip_address') or '')


def _target(kind, resource, decision):
    """(what a command names, its --key) for a decision: a rule's
    decision names the rule, any other the resource (and the item)."""
    if kind == 'security group' and decision.item:
        return decision.item, ''
    return resource['id'], decision.item


@check('accepted-review-overdue', 'medium',
       'an accepted finding whose review date has passed: the finding is '
       'shown again until the decision is renewed or revoked',
       needs=NEEDS, extensions=EXT)
def review_overdue(inventory, settings):
    for rtype, resource, found, _ in accepted.on_resources(inventory):
        for decision in found:
            if decision.check == 'port-security-disabled' or \
                    not decision.is_overdue(settings.today) or \
                    accepted.approver(inventory, rtype, resource,
                                      decision) is None:
                continue
            kind, res = _as_resource(rtype, resource)
            target, key = _target(kind, resource, decision)
            yield Hit(
                kind, res,
                '%s%s accepted until %s (%d days ago): %s' % (
                    decision.check,
                    ' (%s)' % decision.item if decision.item else '',
                    decision.review_by.isoformat(),
                    -decision.days_left(settings.today), decision.reason),
                ('openstack', 'network', 'harden', 'accept', decision.check,
                 target) + (('--key', key) if key else ()) + (
                     '--renew', '--reason', decision.reason, '--review-in',
                     '90'),
                key='%s %s' % (decision.check, decision.item))


@check('accepted-request-pending', 'low',
       'a decision recorded on a resource that no admin approved: a '
       "member's request, a record of an earlier release, or one copied, "
       'edited or put back after a revoke; it hides nothing and documents '
       'nothing',
       needs=NEEDS, extensions=EXT)
def request_pending(inventory, settings):
    if inventory.endorsements is None:
        return          # not read: the audit says so as a limitation
    for rtype, resource, decision in accepted.requested(inventory):
        kind, res = _as_resource(rtype, resource)
        target, key = _target(kind, resource, decision)
        yield Hit(
            kind, res,
            '%s%s recorded by %s, review %s, not approved: %s' % (
                decision.check,
                ' (%s)' % decision.item if decision.item else '',
                decision.granted_by or 'someone',
                decision.review_by.isoformat(), decision.reason),
            ('openstack', 'network', 'harden', 'approve', decision.check,
             target) + (('--key', key) if key else ()) + (
                 '--request', rec.request_id(rtype, resource['id'],
                                             decision.tag)),
            key='%s %s %s' % (decision.check, decision.item,
                              decision.granted.strftime('%Y%m%dT%H%M%SZ')))


@check('accepted-record-invalid', 'medium',
       'a tag that claims to be an accepted finding but cannot be read: it '
       'documents nothing and hides nothing',
       needs=NEEDS, extensions=EXT)
def record_invalid(inventory, settings):
    for rtype, resource, _, malformed in accepted.on_resources(inventory):
        for tag in malformed:
            kind, res = _as_resource(rtype, resource)
            yield Hit(kind, res,
                      'unreadable decision record %s' % tag[:60],
                      ('openstack',) + tuple(
                          resources.spelled(rtype).split()) + (
                          'unset', '--tag', tag, resource['id']),
                      key=tag[:100])
