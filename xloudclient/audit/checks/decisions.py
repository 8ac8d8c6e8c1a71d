"""Checks over the accepted findings themselves: due for review, or
unreadable. (A port-security exception past its review date has its own
check, port-security-exception-overdue.)"""

from xloudclient.audit.catalog import check
from xloudclient.audit.catalog import Hit
from xloudclient.audit import decisions

NEEDS = tuple(sorted(decisions.TAGGABLE)) + ('security_group_rules',)
EXT = ('standard-attr-tag',)


def _as_resource(rtype, resource):
    return decisions.TAGGABLE[rtype], dict(
        resource, name=resource.get('name') or
        resource.get('floating_ip_address') or '')


@check('accepted-review-overdue', 'medium',
       'an accepted finding whose review date has passed: the finding is '
       'shown again until the decision is renewed or revoked',
       needs=NEEDS, extensions=EXT)
def review_overdue(inventory, settings):
    for rtype, resource, found, _ in decisions.on_resources(inventory):
        for decision in found:
            if decision.check == 'port-security-disabled' or \
                    not decision.is_overdue(settings.today):
                continue
            kind, res = _as_resource(rtype, resource)
            target = decision.item if kind == 'security group' and \
                decision.item else resource['id']
            key = '' if target == decision.item else decision.item
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


@check('accepted-record-invalid', 'medium',
       'a tag that claims to be an accepted finding but cannot be read: it '
       'documents nothing and hides nothing',
       needs=NEEDS, extensions=EXT)
def record_invalid(inventory, settings):
    for rtype, resource, _, malformed in decisions.on_resources(inventory):
        for tag in malformed:
            kind, res = _as_resource(rtype, resource)
            yield Hit(kind, res,
                      'unreadable decision record %s' % tag[:60],
                      ('openstack',) + tuple(
                          decisions.TAGGABLE[rtype].split()) + (
                          'unset', '--tag', tag, resource['id']),
                      key=tag[:100])
