"""Accepted findings: where a finding's decision lives, which findings a
decision hides, which decisions are due for review or stale.

Pure functions of the inventory (every taggable resource fetched with its
tags) and the findings; see xloudclient/records.py for the record
itself.
"""

from xloudclient.cloud import resources
from xloudclient import records as rec

# The inventory types that hold decisions (tags), from cloud/resources.py.
# Neutron has no tags on security group rules: a rule's decision lives on
# its group and names the rule.
TAGGABLE = resources.TAGGABLE


def holder(finding, inventory):
    """(inventory type, holder ID, item) of a finding's decision; the
    holder ID is None when the finding's resource is not in the
    inventory."""
    if finding.resource_type == 'security group rule':
        rule = inventory.rules_by_id.get(finding.resource_id) or {}
        return ('security_groups', rule.get('security_group_id'),
                finding.resource_id)
    holder_type = resources.named(finding.resource_type)
    return (holder_type if holder_type in TAGGABLE else None,
            finding.resource_id, finding.key or '')


def decision_for(finding, inventory):
    """The newest decision covering the finding: endorsed for the
    substance of the finding as it is now (its basis), or None."""
    rtype, holder_id, item = holder(finding, inventory)
    found = _decided(inventory).get((rtype, holder_id), ())
    if not found:
        return None
    resource = {'id': holder_id, 'project_id': _holder_project(
        inventory, rtype, holder_id)}
    return next((d for d in found if d.check == finding.check and
                 d.item == item and rec.covering(endorsements(
                     inventory, rtype, resource, d), finding.basis)),
                None)


def _holder_project(inventory, rtype, holder_id):
    return (inventory.by_type(rtype).get(holder_id) or {}).get(
        'project_id') or ''


def endorsements(inventory, rtype, resource, decision):
    """The Endorsements (who, the Keystone tag, the substance) of the
    decision on this resource: () when no endorsement of its resource's
    project names it (see records.py: a record alone is a
    request)."""
    endorsed = (inventory.endorsements or {}).get(
        resource.get('project_id') or '')
    if not endorsed:
        return ()
    return endorsed.get(rec.digest(rtype, resource['id'], decision.tag), ())


def approver(inventory, rtype, resource, decision):
    """The first Endorsement of the decision (for whatever substance), or
    None: a decision nobody endorsed is a request."""
    return next(iter(endorsements(inventory, rtype, resource, decision)),
                None)


def documenting(inventory, port):
    """The newest endorsed confirmed port-security record of a port.

    From the port's own tags: the port checks run as soon as ports are
    fetched, before the other taggable types on_resources() reads. An
    exception's verdict depends on nothing but the port (empty basis)."""
    tags = port.get('tags')
    if not tags or not any(t.startswith(rec.FAMILY) for t in tags):
        return None
    return next((d for d in rec.decisions_in(tags)[0]
                 if d.check == rec.PORT_SECURITY_CHECK and
                 rec.covering(endorsements(inventory, 'ports', port, d),
                              ()) is not None), None)


def requested(inventory):
    """[(inventory type, resource, decision)]: every well-formed record no
    endorsement names (a member's request, a record of an earlier release,
    a copy, an edit, a record put back after a revoke), newest first per
    resource."""
    return [(rtype, resource, d)
            for rtype, resource, found, _ in on_resources(inventory)
            for d in found
            if approver(inventory, rtype, resource, d) is None]


def split(findings, inventory, today):
    """(shown, accepted): accepted is [(finding, decision)] for findings
    a decision covers until its review date; an overdue decision hides
    nothing (the check accepted-review-overdue points at it)."""
    if not _decided(inventory):
        return list(findings), []   # no decision: nothing to look up
    shown, accepted = [], []
    for finding in findings:
        decision = decision_for(finding, inventory)
        if decision is not None and not decision.is_overdue(today):
            accepted.append((finding, decision))
        else:
            shown.append(finding)
    return shown, accepted


def on_resources(inventory):
    """[(inventory type, resource, decisions, malformed tags)] for every
    fetched taggable resource that carries decision tags or a
    port-security record (read once per inventory)."""
    cache = inventory.memo
    if 'decisions' not in cache:
        found = []
        for rtype in TAGGABLE:
            for resource in (inventory.port_digest.tagged if rtype == 'ports'
                             else getattr(inventory, rtype)):
                tags = resource.get('tags')
                if tags and any(t.startswith(_PREFIXES) for t in tags):
                    records, malformed = rec.decisions_in(tags)
                    found.append((rtype, resource, records, [
                        t for t in malformed if rec.is_decision_tag(t)]))
        cache['decisions'] = found
    return cache['decisions']


_PREFIXES = (rec.DECISION_FAMILY, rec.FAMILY)


def _decided(inventory):
    """{(inventory type, resource ID): its endorsed decisions, newest
    first} of the resources that carry any."""
    cache = inventory.memo
    if 'decided' not in cache:
        decided = {}
        for rtype, r, found, _ in on_resources(inventory):
            endorsed = [d for d in found
                        if approver(inventory, rtype, r, d) is not None]
            if endorsed:
                decided[(rtype, r['id'])] = endorsed
        cache['decided'] = decided
    return cache['decided']


def covered(findings, inventory):
    """What the findings' decisions would be about: {(check, inventory
    type, holder ID, item): {substance of each such finding}}; a decision
    covers a finding when its key (see key) is here and an endorsement of
    it binds one of those substances."""
    found = {}
    for f in findings:
        found.setdefault((f.check,) + holder(f, inventory), set()).add(
            rec.substance(f.basis))
    return found


def key(decision, rtype, resource):
    """The decision on this resource, as a key of covered()."""
    return decision.check, rtype, resource['id'], decision.item


def orphans(inventory, project_id, with_digest=False):
    """The Endorsements of project_id that name no record on any of its
    resources in the inventory (their resources or records are gone):
    they could only serve a record put back, and Keystone keeps at most 80
    tags per project. The inventory must hold every taggable type of the
    project (see complete), read after the endorsements (a record is
    written before its endorsement and removed after it: then a live one
    is never missed). with_digest: (digest, Endorsement) pairs."""
    endorsed = (inventory.endorsements or {}).get(project_id) or {}
    if not endorsed:
        return []
    live = {rec.digest(rtype, resource['id'], d.tag)
            for rtype, resource, found, _ in on_resources(inventory)
            if (resource.get('project_id') or '') == project_id
            for d in found}
    return [(digest, e) if with_digest else e
            for digest, found in sorted(endorsed.items())
            if digest not in live for e in found]


def complete(inventory):
    """Whether the inventory holds every taggable type (what orphans()
    needs: a record on a type not read would look gone)."""
    return set(TAGGABLE) <= set(inventory.asked)


# Keystone keeps at most this many tags on a project; an admin is warned
# from NEAR_TAG_LIMIT on (an endorsement needs one more).
TAG_LIMIT = 80
NEAR_TAG_LIMIT = 70
