"""Endorsements as an admin would have written them, for unit tests."""

from xloudclient.audit import accepted
from xloudclient import records as rec


def of_records(resources_by_type, approver='admin', only=None, basis=None):
    """{project ID: {digest: (Endorsement,)}} endorsing every record on
    the given resources ({inventory type: [resources]}); only(tag), if
    given, chooses which; basis(rtype, resource, tag), if given, the basis
    each endorsement binds (else the empty one)."""
    found = {}
    for rtype, resources in resources_by_type.items():
        for resource in resources:
            for tag in resource.get('tags') or ():
                if not (rec.is_decision_tag(tag) or rec.is_record_tag(tag)):
                    continue
                if only is not None and not only(tag):
                    continue
                bound = basis(rtype, resource, tag) if basis else ()
                written = rec.endorsement_tag(rtype, resource['id'], tag,
                                              approver, bound)
                found.setdefault(resource.get('project_id') or '', {})[
                    rec.digest(rtype, resource['id'], tag)] = (
                        rec.parse_endorsement(written)[1],)
    return found


def of_cloud(cloud, **kw):
    """Every record in a FakeNeutron cloud endorsed, bound to its
    finding as the audit reports it now (as an admin's accept or approve
    leaves it)."""
    kw.setdefault('basis', as_audited(cloud))
    return of_records({rtype: cloud.data.get(rtype.replace('_', '-'), [])
                       for rtype in accepted.TAGGABLE}, **kw)


def as_audited(cloud):
    """basis(rtype, resource, tag) for of_records: the basis of the
    record's finding in an audit of the cloud (the empty one when the
    audit reports no such finding)."""
    from xloudclient.audit import catalog
    from xloudclient.audit import runner
    result = runner.run(cloud, runner.Scan(
        tuple(catalog.all_checks()), extra_types=tuple(accepted.TAGGABLE)),
        {})
    return _bound_to(result.findings + [f for f, _ in result.accepted])


def _bound_to(findings):
    from xloudclient.harden import decisions

    def basis(rtype, resource, tag):
        try:
            decision = rec.parse_decision(tag)
        except rec.RecordError:
            return ()
        found = decisions.finding_of(findings, decision.check, rtype,
                                     resource, decision)
        return found.basis if found is not None else ()
    return basis


def of_inventory(inventory, **kw):
    """Every record in the inventory endorsed, bound to its finding as the
    checks that can run over the inventory report it."""
    from xloudclient.audit import catalog
    from xloudclient.audit.settings import Settings

    findings = []
    for check in catalog.all_checks():
        try:
            findings += check.run(inventory, Settings())
        except (AttributeError, KeyError, TypeError):
            continue        # the inventory lacks what this check reads
    inventory.memo.clear()
    kw.setdefault('basis', _bound_to(findings))
    return of_records({rtype: getattr(inventory, rtype)
                       for rtype in accepted.TAGGABLE}, **kw)
