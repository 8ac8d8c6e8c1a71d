"""Endorsements as an admin would have written them, for unit tests."""

from xloudclient.audit import accepted
from xloudclient import records as rec


def of_records(resources_by_type, approver='admin', only=None):
    """{project ID: {digest: approver}} endorsing every record on the
    given resources ({inventory type: [resources]}); only(tag), if given,
    chooses which."""
    found = {}
    for rtype, resources in resources_by_type.items():
        for resource in resources:
            for tag in resource.get('tags') or ():
                if not (rec.is_decision_tag(tag) or rec.is_record_tag(tag)):
                    continue
                if only is not None and not only(tag):
                    continue
                found.setdefault(resource.get('project_id') or '', {})[
                    rec.digest(rtype, resource['id'], tag)] = \
                    rec.Endorsement(approver, rec.endorsement_tag(
                        rtype, resource['id'], tag, approver))
    return found


def of_cloud(cloud, **kw):
    """Every record in a FakeCollections cloud endorsed."""
    return of_records({rtype: cloud.data.get(rtype.replace('_', '-'), [])
                       for rtype in accepted.TAGGABLE}, **kw)


def of_inventory(inventory, **kw):
    return of_records({rtype: getattr(inventory, rtype)
                       for rtype in accepted.TAGGABLE}, **kw)
