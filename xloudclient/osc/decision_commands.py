"""`openstack network harden accept`, `... revoke` and `... accepted
list`: reviewed decisions on findings, kept on the resources."""

from osc_lib.command import command

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope

SHOW_COLUMNS = ('Check', 'Resource', 'Resource ID', 'Project', 'Action',
                'Reason', 'Review By', 'Granted By', 'Recorded On')


def _visible_project(client_manager):
    """What the token may see: None (every project) for an admin, else
    its own project."""
    return None if scope.is_admin(client_manager) else \
        client_manager.auth_ref.project_id


def _projects(client_manager):
    """The Directory (names, endorsements) of what the token may see;
    AcceptError when Keystone cannot be read: a command that changes
    decisions must know which count."""

    from xloudclient.cloud import directory
    from xloudclient.harden import decisions

    project = _visible_project(client_manager)
    found = directory.read(client_manager,
                           None if project is None else [project])
    if found.error:
        raise decisions.AcceptError('cannot read which decisions an admin '
                                    'approved (%s); nothing was changed'
                                    % found.error)
    return found


def _shown(rtype, holder, decision, names, action):
    """The row of a revoke or approve: the decision and its resource."""
    from xloudclient.cloud import resources

    return (decision.check,
            decision.item or holder.get('name') or holder['id'],
            decision.item or holder['id'],
            names_mod.name_or_id(names, holder.get('project_id')), action,
            decision.reason, decision.review_by.isoformat(),
            decision.granted_by,
            '%s %s' % (resources.spelled(rtype),
                       holder.get('name') or holder['id']))


def _run_checks(client_manager, check_ids, projects):
    """The audit of the given checks over what the token may see: every
    project for an admin, the token's project otherwise."""
    from xloudclient.audit import accepted
    from xloudclient.audit import catalog
    from xloudclient.audit import runner

    checks = catalog.select(check_ids) if check_ids else \
        catalog.all_checks()
    project = _visible_project(client_manager)
    return runner.run(client_manager.xloud, checks, project_id=project,
                      extra_types=tuple(accepted.TAGGABLE),
                      endorsements=projects.endorsements)


def _decisions_of(client_manager, parsed_args, projects, inv=None):
    """(inventory type, holder, [decisions], {tag: (Endorsement, ...)}) that
    the
    command's check, resource and --key name (in inv, or a fetch of the
    taggable types)."""
    from xloudclient.audit import accepted
    from xloudclient.audit import inventory
    from xloudclient.harden import decisions

    if inv is None:
        inv = inventory.fetch(
            client_manager.xloud, tuple(accepted.TAGGABLE),
            project_id=_visible_project(client_manager),
            endorsements=projects.endorsements)
    rtype, holder, found = decisions.find_decisions(
        inv, parsed_args.check, parsed_args.resource, parsed_args.key)
    endorsed = {d.tag: es for d in found
                for es in [accepted.endorsements(inv, rtype, holder, d)]
                if es}
    return rtype, holder, found, endorsed


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
        import datetime

        from xloudclient.audit import catalog
        from xloudclient.cloud import directory
        from xloudclient.cloud import resources
        from xloudclient.harden import decisions
        from xloudclient.harden import port_security
        from xloudclient import records as rec

        cm = self.app.client_manager
        decisions.check_acceptable(parsed_args.check,
                                   [c.id for c in catalog.all_checks()])
        reason = rec.validate_reason(parsed_args.reason)
        review_by = port_security.review_date(
            datetime.date.today(), parsed_args.review_by,
            parsed_args.review_in)
        projects = _projects(cm)
        result = _run_checks(cm, [parsed_args.check], projects)
        findings = result.findings + [f for f, _ in result.accepted]
        finding = decisions.find(findings, parsed_args.check,
                                 parsed_args.resource, parsed_args.key)
        if not scope.is_admin(cm) and \
                finding.project_id != cm.auth_ref.project_id:
            raise decisions.AcceptError(
                '%s belongs to project %s: only an admin may accept another '
                "project's finding" % (finding.resource_id,
                                       finding.project_id))
        names = names_mod.project_names(cm, directory=projects)
        granted_by = cm.auth_ref.username or ''
        if parsed_args.check in decisions.PORT_SECURITY_CHECKS:
            action, holder, review = _accept_exception(
                cm, finding, reason, review_by, granted_by, projects,
                parsed_args.dry_run)
        else:
            tgt = decisions.target(finding, result.inventory)
            action, _ = decisions.accept(
                cm.xloud, tgt, reason, review_by, granted_by,
                renew=parsed_args.renew, dry_run=parsed_args.dry_run,
                identity=directory.identity_client(cm),
                admin=scope.is_admin(cm), inventory=result.inventory,
                approver=common.approver(cm))
            holder = '%s %s' % (resources.spelled(tgt.holder_type),
                                tgt.holder.get('name') or tgt.holder['id'])
            review = review_by.isoformat()
        return SHOW_COLUMNS, (
            finding.check, finding.resource_name or finding.resource_id,
            finding.resource_id,
            names_mod.name_or_id(names, finding.project_id), action, reason,
            review, granted_by, holder)


def _accept_exception(cm, finding, reason, review_by, granted_by, projects,
                      dry_run):
    """Accepting a port-security finding is recording (renewing) its
    port's exception, then endorsing it: (action, holder, review date)."""
    from xloudclient.cloud import directory
    from xloudclient.harden import decisions
    from xloudclient.harden import port_security

    out = port_security.disable(
        cm.xloud, finding.resource_id, reason, review_by,
        granted_by, renew=True, dry_run=dry_run)
    action = ('would be accepted' if dry_run else 'accepted') + \
        ' (port security exception)'
    if not dry_run:
        settled, note = decisions.settle_exception(
            directory.identity_client(cm), out.port, out.record,
            out.removed_records, common.approver(cm),
            (projects.endorsements or {}).get(
                out.port.get('project_id') or '', {}))
        if settled is decisions.Settled.REQUESTED:
            action = 'requested (port security exception): ' + note
    return (action, 'port %s' % finding.resource_id,
            out.record.review_by.isoformat())


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
        from xloudclient.cloud import directory
        from xloudclient.harden import decisions
        from xloudclient import inert_text

        cm = self.app.client_manager
        if parsed_args.check in decisions.PORT_SECURITY_CHECKS:
            raise decisions.AcceptError(
                'a port-security exception ends when port security is back '
                'on: `%s`' % inert_text.command(
                    'openstack', 'port', 'security', 'enable',
                    parsed_args.resource[:80]))
        projects = _projects(cm)
        rtype, holder, found, endorsed = _decisions_of(cm, parsed_args,
                                                       projects)
        action = decisions.revoke(cm.xloud, rtype, holder, found,
                                  parsed_args.dry_run,
                                  identity=directory.identity_client(cm),
                                  endorsed=endorsed)
        names = names_mod.project_names(cm, directory=projects)
        return SHOW_COLUMNS, _shown(
            rtype, holder, found[0], names,
            action + ('' if len(found) == 1 else
                      ' (%d decisions)' % len(found)))


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
        import datetime

        from xloudclient.cloud import directory
        from xloudclient.harden import decisions

        cm = self.app.client_manager
        projects = _projects(cm)
        result = _run_checks(cm, [parsed_args.check], projects)
        rtype, holder, found, endorsed = _decisions_of(
            cm, parsed_args, projects, inv=result.inventory)
        approver = common.approver(cm)
        action, decision = decisions.approve(
            cm.xloud, directory.identity_client(cm), rtype, holder, found,
            endorsed, approver, datetime.date.today(),
            parsed_args.dry_run, findings=result.findings + [
                f for f, _ in result.accepted],
            request=parsed_args.request or '')
        if not parsed_args.dry_run:
            decisions.prune(directory.identity_client(cm), result.inventory,
                            holder.get('project_id') or '')
        names = names_mod.project_names(cm, directory=projects)
        return SHOW_COLUMNS + ('Approved By',), _shown(
            rtype, holder, decision, names, action) + (
                common.who(approver.name, approver.user_id),)


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
        import datetime

        from xloudclient.audit import accepted
        from xloudclient.audit import catalog
        from xloudclient.audit import runner
        from xloudclient.cloud import directory
        from xloudclient.harden import decisions

        cm = self.app.client_manager
        scopes = scope.resolve_scopes(cm, parsed_args)
        projects = directory.read(
            cm, None if scopes is None else [s.project_id for s in scopes])
        if projects.error:
            raise decisions.AcceptError('cannot tell approved decisions from '
                                        'requests: %s' % projects.error)
        result = runner.run(cm.xloud, catalog.all_checks(),
                            project_id=scope.project_filter(scopes),
                            extra_types=tuple(accepted.TAGGABLE),
                            endorsements=projects.endorsements)
        today = datetime.date.today()
        rows = decisions.list_decisions(
            result.inventory,
            result.findings + [f for f, _ in result.accepted], today,
            parsed_args.overdue, parsed_args.requested)
        names = names_mod.project_names(
            cm, known={s.project_id: s.project_name for s in scopes or ()},
            directory=projects)
        wide = parsed_args.long or not common.for_people(parsed_args)
        columns = ('Check', 'Resource', 'Resource Type') + \
            names_mod.project_headers(parsed_args) + (
                'Status', 'Reason', 'Granted By', 'Granted', 'Review By',
                'Days Left')
        if wide:
            columns += ('Resource ID', 'Item', 'Request', 'Approved By')
        return columns, [_listed(r, parsed_args, names, today, wide)
                         for r in rows]


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
        from xloudclient.audit import accepted
        from xloudclient.audit import inventory
        from xloudclient.cloud import directory
        from xloudclient.harden import decisions

        cm = self.app.client_manager
        scope.require_admin(cm, 'pruning endorsements')
        scopes = scope.resolve_scopes(cm, parsed_args)
        projects = _projects_of(cm, scopes)
        inv = inventory.fetch(cm.xloud, tuple(accepted.TAGGABLE),
                              project_id=scope.project_filter(scopes),
                              endorsements=projects.endorsements)
        outcomes = decisions.prune_all(
            directory.identity_client(cm), inv, parsed_args.dry_run)
        failed = [o for o in outcomes if o.action.startswith('failed')]
        if failed:
            self.exit_status = 1
            self.log.error('%d of %d endorsements failed to be removed; run '
                           'the command again', len(failed), len(outcomes))
        names = names_mod.project_names(cm, directory=projects)
        wide = parsed_args.long or not common.for_people(parsed_args)
        return (names_mod.project_headers(parsed_args) + (
            'Request', 'Approved By', 'Action') + (
                ('Endorsement',) if wide else ()),
            [names_mod.project_cells(parsed_args, names, o.project_id) + (
                o.digest[:16], common.approved_by(o.endorsement),
                o.action) + ((o.endorsement.tag,) if wide else ())
             for o in outcomes])


def _projects_of(cm, scopes):
    """The Directory of the scopes (None: every project); AcceptError when
    Keystone cannot be read."""
    from xloudclient.cloud import directory
    from xloudclient.harden import decisions

    found = directory.read(
        cm, None if scopes is None else [s.project_id for s in scopes])
    if found.error:
        raise decisions.AcceptError('cannot read the endorsements (%s); '
                                    'nothing was changed' % found.error)
    return found


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
