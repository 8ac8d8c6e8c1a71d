"""`openstack network harden accept`, `... revoke` and `... accepted
list`: reviewed decisions on findings, kept on the resources."""

from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope

SHOW_COLUMNS = ('Check', 'Resource', 'Resource ID', 'Project', 'Action',
                'Reason', 'Review By', 'Granted By', 'Recorded On')


def _shown(cm, decided):
    """The row of an accept, revoke or approve (reviews.Decided)."""
    names = names_mod.project_names(cm, directory=decided.directory)
    action = str(decided.outcome)
    if decided.count > 1:
        action += ' (%d decisions)' % decided.count
    return (decided.check, decided.shown, decided.resource_id,
            names_mod.name_or_id(names, decided.project_id), action,
            decided.reason, decided.review_by, decided.granted_by,
            decided.holder)


def _add_target_arguments(parser):
    parser.add_argument('check', metavar='<check-id>',
                        help='The check whose finding this is (see '
                             '`openstack network harden check list`)')
    parser.add_argument('resource', metavar='<resource>',
                        help='What the finding names: the name or ID of '
                             'the port, network, router, floating IP or '
                             'security group; a security group rule by ID')
    parser.add_argument('--key', metavar='<detail-key>',
                        help='Which finding, when the check reports several '
                             'on the resource (its Detail Key, e.g. an '
                             'address pair)')
    common.add_dry_run_option(parser)


class AcceptFinding(common.OneLineErrors, common.InertText,
                    command.ShowOne):
    """Accept a finding as a reviewed, intentional decision.

    Records the decision as a tag on the resource (a rule's on its security
    group) with the reason, who, when and a review date: every admin and
    every audit sees it. The audit stops reporting the finding until the
    review date; then it reports it again, with an accepted-review-overdue
    finding. Only a finding the audit reports now can be accepted.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_target_arguments(parser)
        parser.add_argument('--reason', metavar='<text>', required=True,
                            help='Why this is intended (stored with the '
                                 'decision; one line)')
        when = parser.add_mutually_exclusive_group()
        when.add_argument('--review-by', metavar='<YYYY-MM-DD>',
                          help='Review date (today to one year ahead)')
        when.add_argument('--review-in', metavar='<days>', type=int,
                          help='Review in this many days (default 90)')
        parser.add_argument('--renew', action='store_true',
                            help='Replace an existing decision (a new '
                                 'reason or review date)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import port_security
        from xloudclient.harden import reviews
        from xloudclient import records

        ctx = common.run_context(self.app.client_manager)
        terms = records.Terms(parsed_args.reason, port_security.review_date(
            ctx.today, parsed_args.review_by, parsed_args.review_in),
            parsed_args.renew)
        decided = reviews.accept(ctx, reviews.AcceptRequest(
            parsed_args.check, parsed_args.resource, parsed_args.key,
            parsed_args.dry_run, terms))
        return SHOW_COLUMNS, _shown(self.app.client_manager, decided)


class _OnADecision(common.OneLineErrors, common.InertText,
                   command.ShowOne):
    """A command on one recorded decision: <check> <resource> [--key]."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_target_arguments(parser)
        return parser


class RevokeFinding(_OnADecision):
    """Revoke an accepted decision: the audit reports the finding again.

    Port-security exceptions end with `openstack port security enable`.
    """

    def take_action(self, parsed_args):
        from xloudclient.harden import decisions
        from xloudclient.harden import reviews
        from xloudclient import inert_text

        if parsed_args.check in decisions.PORT_SECURITY_CHECKS:
            raise exceptions.CommandError(
                'a port-security exception ends when port security is back '
                'on: `%s`' % inert_text.command(
                    'openstack', 'port', 'security', 'enable',
                    parsed_args.resource[:80]))
        decided = reviews.revoke(
            common.run_context(self.app.client_manager), reviews.Named(
                parsed_args.check, parsed_args.resource, parsed_args.key,
                parsed_args.dry_run))
        return SHOW_COLUMNS, _shown(self.app.client_manager, decided)


class ApproveFinding(_OnADecision):
    """Approve a decision someone recorded: a member's accept or port
    security disable, or a record an earlier release wrote.

    Writes its endorsement on the resource's Keystone project (only an
    admin, or a manager of the project's domain, may), so that the audit
    counts it, bound to the finding as the audit reports it now; the other
    decisions of the same check and item go. --request names the record
    you reviewed (its ID in `accepted list --requested --long` and in the
    accepted-request-pending finding's remediation): any other is refused.
    A decision listed "stale (finding changed)" is approved again the same
    way, for the finding as it is now.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--request', metavar='<request-id>',
                            help='The ID of the record you reviewed (see '
                                 '`openstack network harden accepted list '
                                 '--requested --long`)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import reviews

        ctx = common.run_context(self.app.client_manager)
        decided = reviews.approve(ctx, reviews.ApproveRequest(
            parsed_args.check, parsed_args.resource, parsed_args.key,
            parsed_args.dry_run, parsed_args.request or ''))
        return SHOW_COLUMNS + ('Approved By',), _shown(
            self.app.client_manager, decided) + (
                common.who(ctx.user.name, ctx.user.user_id),)


class ListAccepted(common.OneLineErrors, common.InertText,
                   command.Lister):
    """List accepted decisions: check, resource, project, reason, who,
    when, review date, days left, and their status (accepted, overdue, or
    stale when the finding no longer occurs and the decision can go).
    Port-security exceptions are listed too."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        scope.add_scope_options(parser, verb='List decisions of',
                                repeatable=True)
        only = parser.add_mutually_exclusive_group()
        only.add_argument('--overdue', action='store_true',
                          help='Only decisions past their review date')
        only.add_argument('--requested', action='store_true',
                          help='Only decisions no admin approved yet (see '
                               '`openstack network harden approve`)')
        parser.add_argument('--long', action='store_true',
                            help='Also show resource IDs and the item')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import reviews

        cm = self.app.client_manager
        scopes = scope.resolve_scopes(cm, parsed_args)
        listing = reviews.listed(common.run_context(cm), reviews.ListRequest(
            scope.project_ids(scopes), parsed_args.overdue,
            parsed_args.requested))
        names = names_mod.project_names(
            cm, known={s.project_id: s.project_name for s in scopes or ()},
            directory=listing.directory)
        wide = parsed_args.long or not common.for_people(parsed_args)
        columns = ('Check', 'Resource', 'Resource Type') + \
            names_mod.project_headers(parsed_args) + (
                'Status', 'Reason', 'Granted By', 'Granted', 'Review By',
                'Days Left')
        if wide:
            columns += ('Resource ID', 'Item', 'Request', 'Approved By')
        return columns, [_listed(r, parsed_args, names, listing.today, wide)
                         for r in listing.rows]


class PruneAccepted(common.OneLineErrors, common.InertText,
                    common.ExitStatusMixin, command.Lister):
    """Remove the endorsements whose decision is gone: the record, or the
    resource that carried it, was removed (admin only).

    An endorsement is a tag on a Keystone project, which keeps at most 80:
    one naming no record only takes room (it could serve a record put back
    exactly as it was). Read first, then every taggable resource of the
    projects, so that a decision being written meanwhile is never taken
    for gone. Try --dry-run first.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        scope.add_scope_options(parser, verb='Prune endorsements of',
                                repeatable=True)
        common.add_dry_run_option(parser)
        parser.add_argument('--long', action='store_true',
                            help='Also show each endorsement whole (the '
                                 'Keystone tag)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import reviews

        cm = self.app.client_manager
        scope.require_admin(cm, 'pruning endorsements')
        scopes = scope.resolve_scopes(cm, parsed_args)
        pruning = reviews.prune(common.run_context(cm), reviews.PruneRequest(
            scope.project_ids(scopes), parsed_args.dry_run))
        outcomes = pruning.outcomes
        if pruning.failed:
            self.exit_status = 1
            self.log.error('%d of %d endorsements failed to be removed; run '
                           'the command again', len(pruning.failed),
                           len(outcomes))
        names = names_mod.project_names(cm, directory=pruning.directory)
        wide = parsed_args.long or not common.for_people(parsed_args)
        return (names_mod.project_headers(parsed_args) + (
            'Request', 'Approved By', 'Action') + (
                ('Endorsement',) if wide else ()),
            [names_mod.project_cells(parsed_args, names, o.project_id) + (
                o.digest[:16], common.approved_by(o.endorsement),
                o.action) + ((o.endorsement.tag,) if wide else ())
             for o in outcomes])


def _listed(r, parsed_args, names, today, wide):
    """One row of `accepted list` (wide: with IDs, the request ID and the
    approver)."""
    from xloudclient.cloud import resources
    from xloudclient import records as rec

    d = r.decision
    row = (d.check, r.resource.get('name') or r.resource.get(
        'floating_ip_address') or r.resource['id'],
        resources.spelled(r.rtype)) + \
        names_mod.project_cells(parsed_args, names,
                                r.resource.get('project_id')) + (
        r.status, d.reason, d.granted_by,
        d.granted.strftime('%Y-%m-%dT%H:%M:%SZ'),
        d.review_by.isoformat(), d.days_left(today))
    if wide:
        row += (r.resource['id'], d.item, rec.request_id(
            r.rtype, r.resource['id'], d.tag),
            common.approved_by(r.endorsement))
    return row
