"""The decision commands' entry points: accept, approve, revoke, list and
prune each take the run context (cloud/run_context.py) and a typed
request, and return a typed result; decisions.py does the writing."""

import dataclasses

from xloudclient.audit import accepted
from xloudclient.audit import catalog
from xloudclient.audit import inventory as inventory_mod
from xloudclient.audit import runner
from xloudclient.cloud import resources
from xloudclient.harden import decisions
from xloudclient.harden import port_security
from xloudclient import records as rec
from xloudclient import harden


@dataclasses.dataclass(frozen=True)
class Named:
    """Which decision (or finding): a check, the resource it names (name
    or ID; a rule's ID) and, when the check reports several there, the
    detail key."""

    check: str
    resource: str
    key: str = None
    dry_run: bool = False


@dataclasses.dataclass(frozen=True)
class AcceptRequest(Named):
    terms: rec.Terms = None


@dataclasses.dataclass(frozen=True)
class ApproveRequest(Named):
    request: str = ''         # the request ID of the record reviewed


@dataclasses.dataclass
class Decided:
    """What a decision command did to one decision, as its row shows it."""

    outcome: decisions.Outcome
    check: str
    shown: str                # the resource's name, or the rule's ID
    resource_id: str
    project_id: str
    reason: str
    review_by: str
    granted_by: str
    holder: str               # where it is recorded: "security group web"
    directory: object         # the projects read (their names)
    count: int = 1            # decisions it covered (revoke)


def visible(ctx, why='cannot read which decisions an admin approved'):
    """The Directory of what the token may see; harden.Refused when Keystone
    cannot be read: a command that changes decisions must know which
    count."""
    found = ctx.visible_directory()
    if found.error:
        raise harden.Refused('%s (%s); nothing was changed'
                             % (why, found.error))
    return found


def _audit(ctx, check_ids, projects):
    """The audit of the given checks over what the token may see (every
    project for an admin, its own otherwise), with the taggable types."""
    checks = catalog.select(check_ids) if check_ids else \
        catalog.all_checks()
    return runner.run(ctx.neutron, runner.Scan(
        tuple(checks), ctx.visible_projects,
        extra_types=tuple(accepted.TAGGABLE)), projects.endorsements)


def _held(ctx, named, projects, inv=None):
    """The Held decisions the request names (in inv, or a fetch of the
    taggable types)."""
    if inv is None:
        inv = inventory_mod.fetch(ctx.neutron, tuple(accepted.TAGGABLE),
                                  ctx.visible_project, projects.endorsements)
    rtype, holder, found = decisions.find_decisions(
        inv, named.check, named.resource, named.key)
    endorsed = {d.tag: es for d in found
                for es in [accepted.endorsements(inv, rtype, holder, d)]
                if es}
    return decisions.Held(rtype, holder, found, endorsed)


def _where(rtype, holder):
    return '%s %s' % (resources.spelled(rtype),
                      holder.get('name') or holder['id'])


def _decided(outcome, held, decision, projects, count=1):
    holder = held.holder
    return Decided(outcome, decision.check,
                   decision.item or holder.get('name') or holder['id'],
                   decision.item or holder['id'],
                   holder.get('project_id') or '', decision.reason,
                   decision.review_by.isoformat(), decision.granted_by,
                   _where(held.rtype, holder), projects, count)


def accept(ctx, request):
    """Accept the finding the request names (AcceptRequest): record the
    decision and endorse it; a port-security finding renews its port's
    exception. Returns Decided."""
    decisions.check_acceptable(request.check,
                               [c.id for c in catalog.all_checks()])
    terms = dataclasses.replace(
        request.terms, reason=rec.validate_reason(request.terms.reason),
        dry_run=request.dry_run)
    projects = visible(ctx)
    result = _audit(ctx, [request.check], projects)
    finding = decisions.find(result.findings + [f for f, _ in
                                                result.accepted],
                             request.check, request.resource, request.key)
    if not ctx.is_admin and finding.project_id != ctx.project_id:
        raise harden.Refused(
            '%s belongs to project %s: only an admin may accept another '
            "project's finding" % (finding.resource_id, finding.project_id))
    if request.check in decisions.PORT_SECURITY_CHECKS:
        outcome, review = _accept_exception(ctx, finding, terms, projects)
        holder = 'port %s' % finding.resource_id
    else:
        tgt = decisions.target(finding, result.inventory)
        outcome = decisions.accept(ctx, tgt, terms, result.inventory)
        holder = _where(tgt.holder_type, tgt.holder)
        review = terms.review_by.isoformat()
    return Decided(outcome, finding.check,
                   finding.resource_name or finding.resource_id,
                   finding.resource_id, finding.project_id, terms.reason,
                   review, ctx.user.name, holder, projects)


def _accept_exception(ctx, finding, terms, projects):
    """Accepting a port-security finding is recording (renewing) its
    port's exception, then endorsing it: (Outcome, review date)."""
    out = port_security.disable(
        ctx, finding.resource_id, dataclasses.replace(terms, renew=True))
    note = ' (port security exception)'
    action = decisions.Action.ACCEPTED
    if not terms.dry_run:
        settled, said = decisions.settle_exception(
            ctx, out.port, out.record, out.removed_records,
            (projects.endorsements or {}).get(
                out.port.get('project_id') or '', {}))
        if settled is decisions.Settled.REQUESTED:
            action, note = decisions.Action.REQUESTED, note + ': ' + said
    return (decisions.Outcome(action, terms.dry_run, note),
            out.record.review_by.isoformat())


def revoke(ctx, named):
    """Revoke the decisions the request (Named) names; Decided."""
    projects = visible(ctx)
    held = _held(ctx, named, projects)
    outcome = decisions.revoke(ctx, held, named.dry_run)
    return _decided(outcome, held, held.found[0], projects, len(held.found))


def approve(ctx, request):
    """Approve the record the request (ApproveRequest) names, as the
    run's user, for its finding as the audit reports it now; Decided."""
    projects = visible(ctx)
    result = _audit(ctx, [request.check], projects)
    held = _held(ctx, request, projects, result.inventory)
    outcome, decision = decisions.approve(
        ctx, held, request.request or '', request.dry_run,
        result.findings + [f for f, _ in result.accepted])
    if not request.dry_run:
        decisions.prune(ctx.identity, result.inventory,
                        held.holder.get('project_id') or '')
    return _decided(outcome, held, decision, projects)


@dataclasses.dataclass(frozen=True)
class ListRequest:
    """Which decisions to list: of these projects (None: every one), only
    the overdue ones, only the requested ones."""

    project_ids: tuple = None
    overdue: bool = False
    requested: bool = False


@dataclasses.dataclass
class Listing:
    rows: list                # decisions.Row, sorted
    directory: object
    today: object


def listed(ctx, request):
    """The decisions of the projects the request (ListRequest) names, with
    their status (decisions.list_decisions); a Listing."""
    projects = ctx.directory(request.project_ids)
    if projects.error:
        raise harden.Refused('cannot tell approved decisions from '
                             'requests: %s' % projects.error)
    result = runner.run(ctx.neutron, runner.Scan(
        tuple(catalog.all_checks()), request.project_ids,
        extra_types=tuple(accepted.TAGGABLE)), projects.endorsements)
    rows = decisions.list_decisions(
        result.inventory, result.findings + [f for f, _ in result.accepted],
        ctx.today, request.overdue, request.requested)
    return Listing(rows, projects, ctx.today)


@dataclasses.dataclass(frozen=True)
class PruneRequest:
    project_ids: tuple = None     # None: every project
    dry_run: bool = False


@dataclasses.dataclass
class Pruning:
    outcomes: list                # decisions.Pruned
    directory: object

    @property
    def failed(self):
        return [o for o in self.outcomes if o.failed]


def prune(ctx, request):
    """Remove the endorsements naming no decision in the projects the
    request (PruneRequest) names: read Keystone first, then every taggable
    resource, so that a decision being written meanwhile is never taken
    for gone. A Pruning."""
    projects = ctx.directory(request.project_ids)
    if projects.error:
        raise harden.Refused('cannot read the endorsements (%s); '
                             'nothing was changed' % projects.error)
    inv = inventory_mod.fetch(ctx.neutron, tuple(accepted.TAGGABLE),
                              runner.project_filter(request.project_ids),
                              projects.endorsements)
    return Pruning(decisions.prune_all(ctx.identity, inv, request.dry_run),
                   projects)
