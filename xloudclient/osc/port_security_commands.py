"""`openstack port security disable / enable / exception list`."""

from osc_lib.cli import format_columns
from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope


def _record_fields(record):
    if record is None:
        return ('', '', '', '', format_columns.ListColumn([]))
    return (record.reason, record.review_by.isoformat(),
            record.granted.strftime('%Y-%m-%dT%H:%M:%SZ'),
            record.granted_by,
            format_columns.ListColumn(record.security_groups))


def _endorsements(ctx, port):
    """The endorsements of the port's project, read now."""
    project = port.get('project_id') or ''
    found = ctx.directory([project])
    return (found.endorsements or {}).get(project, {})


def _settle(ctx, out):
    """Endorse the exception a disable recorded (see decisions.py); an
    admin's run then prunes the project's endorsements naming no record.
    Returns (decisions.Settled, note)."""
    from xloudclient.harden import decisions

    project = out.port.get('project_id') or ''
    endorsed = _endorsements(ctx, out.port)
    settled, note = decisions.settle_exception(
        ctx, out.port, out.record, out.removed_records, endorsed)
    if settled is decisions.Settled.ENDORSED and project:
        _prune(ctx, project, endorsed)
    return settled, note


def _prune(ctx, project, endorsed):
    """Housekeeping after an endorsement was written: a failure here
    changes nothing the command reports (the next run prunes)."""
    from xloudclient.audit import accepted
    from xloudclient.audit import inventory
    from xloudclient.harden import decisions

    try:
        inv = inventory.fetch(ctx.neutron, tuple(accepted.TAGGABLE),
                              project, {project: endorsed})
        decisions.prune(ctx.identity, inv, project)
    except Exception:
        pass


def _drop(ctx, out):
    from xloudclient.harden import decisions

    return decisions.drop_endorsements(
        ctx.identity, out.port, out.removed_records,
        _endorsements(ctx, out.port))


RECORD_COLUMNS = ('Reason', 'Review By', 'Granted', 'Granted By',
                  'Recorded Security Groups')


class _OnePortCommand(common.OneLineErrors, common.InertText,
                      command.ShowOne):
    """A change to one port: its name or ID, and --dry-run."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('port', metavar='<port>',
                            help='Port to change (name or ID)')
        common.add_dry_run_option(parser)
        return parser


class DisablePortSecurity(_OnePortCommand):
    """Disable port security on a port, as a documented exception.

    For trusted network appliances only (virtual firewalls, load
    balancers, NAT devices). In one revision-guarded update the port loses
    its security groups and port security; the reason, the review date and
    the security groups it had are recorded on the port as a tag, so that
    `openstack port security enable` can put them back and the audit can
    tell documented exceptions from undocumented ones.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--reason', metavar='<text>', required=True,
            help='Why this port needs port security off (required; one '
                 'line, stored on the port)')
        when = parser.add_mutually_exclusive_group()
        when.add_argument(
            '--review-by', metavar='<YYYY-MM-DD>',
            help='Date by which the exception must be reviewed')
        when.add_argument(
            '--review-in', metavar='<days>', type=int,
            help='Review the exception in this many days (default: 90)')
        parser.add_argument(
            '--renew', action='store_true',
            help='Update the reason and review date of an existing '
                 'exception')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import port_security
        from xloudclient import records

        ctx = common.run_context(self.app.client_manager)
        review = port_security.review_date(
            ctx.today, parsed_args.review_by, parsed_args.review_in)
        port = port_security.find_port(ctx.neutron, parsed_args.port)
        out = port_security.disable(ctx, port['id'], records.Terms(
            parsed_args.reason, review, parsed_args.renew,
            parsed_args.dry_run))
        action = 'renewed' if out.removed_records else 'disabled'
        if parsed_args.dry_run:
            action = 'would be %s (dry run, nothing changed)' % action
        else:
            settled, note = _settle(ctx, out)
            if note:
                out.notes.append(note)
            if settled is settled.REQUESTED:
                action += ' (requested)'
        columns = ('ID', 'Name', 'Action', 'Port Security Enabled',
                   'Security Groups') + RECORD_COLUMNS + ('Notes',)
        port = out.port
        return columns, (
            port['id'], port.get('name') or '', action,
            port['port_security_enabled'] if not parsed_args.dry_run
            else False,
            format_columns.ListColumn(port.get('security_groups')
                                      if not parsed_args.dry_run else []),
        ) + _record_fields(out.record) + ('; '.join(out.notes),)


class EnablePortSecurity(_OnePortCommand):
    """Re-enable port security on a port and end its exception.

    Restores the security groups recorded when port security was disabled
    (or the ones given with --security-group) and removes the exception
    record. On a port whose port security was disabled by hand, without a
    record, the project's default security group is used unless
    --security-group is given.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--security-group', metavar='<security-group>',
            action='append', dest='security_groups',
            help='Security group to apply instead of the recorded ones '
                 '(name or ID, in the port\'s project; repeat for more)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import port_security

        client = self.app.client_manager.xloud
        port = port_security.find_port(client, parsed_args.port)
        groups = port_security.resolve_groups(
            client, port, parsed_args.security_groups)
        out = port_security.enable(client, port['id'], groups,
                                   dry_run=parsed_args.dry_run)
        if parsed_args.dry_run:
            action = 'would be enabled (dry run, nothing changed)'
        elif out.changed:
            action = 'enabled'
        else:
            action = 'unchanged'
        if out.removed_records and not parsed_args.dry_run:
            note = _drop(common.run_context(self.app.client_manager), out)
            if note:
                out.notes.append(note)
        removed = out.removed_records[0] if out.removed_records else None
        columns = ('ID', 'Name', 'Action', 'Port Security Enabled',
                   'Security Groups', 'Removed Record Reason', 'Notes')
        port = out.port
        return columns, (
            port['id'], port.get('name') or '', action,
            port['port_security_enabled'],
            format_columns.ListColumn(port.get('security_groups')),
            removed.reason if removed else '', '; '.join(out.notes))


class ListPortSecurityExceptions(common.OneLineErrors, common.InertText,
                                 command.Lister):
    """List ports with port security disabled: documented or not.

    One row per port whose port security is off, with its exception record
    (reason, review date, days left) or the status "undocumented". Reads
    all ports in scope with one paginated list call.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        scope.add_scope_options(parser, verb='List')
        parser.add_argument(
            '--overdue', action='store_true',
            help='Only exceptions whose review date has passed')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.audit import inventory
        from xloudclient.audit import own_ports
        from xloudclient.harden import port_security

        ctx = common.run_context(self.app.client_manager)
        where = scope.resolve_scope(self.app.client_manager, parsed_args)
        inv = inventory.fetch(ctx.neutron, own_ports.NEEDS, where.project_id)
        projects = ctx.directory(
            None if where.all_projects else [where.project_id])
        if projects.error:
            raise exceptions.CommandError(
                'cannot tell documented exceptions from requests: %s'
                % projects.error)
        inv.endorsements = projects.endorsements
        today = ctx.today
        names = names_mod.project_names(
            self.app.client_manager,
            known={where.project_id: where.project_name})
        columns = (('Port ID', 'Port Name') +
                   names_mod.project_headers(parsed_args) +
                   ('Device Owner', 'Status', 'Days Left') + RECORD_COLUMNS)
        rows = []
        for row in port_security.exception_rows(inv, today,
                                                parsed_args.overdue):
            port = row.port
            days = row.record.days_left(today) if row.record else None
            if days is None and common.for_people(parsed_args):
                days = ''
            rows.append((port['id'], port.get('name') or '') +
                        names_mod.project_cells(parsed_args, names,
                                                port.get('project_id')) +
                        (port.get('device_owner') or '', row.status, days) +
                        _record_fields(row.record))
        return columns, rows
