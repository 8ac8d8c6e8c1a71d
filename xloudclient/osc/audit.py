"""`openstack network harden audit`: the security audit of Neutron."""

from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import scope

COLUMNS = ('Severity', 'Check', 'Resource Type', 'Resource ID',
           'Resource Name', 'Project', 'Detail', 'Remediation')


def _row(finding):
    return (finding.severity, finding.check, finding.resource_type,
            finding.resource_id, finding.resource_name, finding.project_id,
            finding.detail, finding.remediation)


def summary_line(result):
    from xloudclient.audit.finding import SEVERITIES

    counts = {s: 0 for s in SEVERITIES}
    for finding in result.findings:
        counts[finding.severity] += 1
    parts = ', '.join('%d %s' % (counts[s], s) for s in SEVERITIES
                      if counts[s])
    return ('%d finding%s%s; %d resources scanned (%s) in %d API requests, '
            '%.2fs' % (len(result.findings),
                       '' if len(result.findings) == 1 else 's',
                       ' (%s)' % parts if parts else '',
                       result.resources_scanned(),
                       ', '.join(result.fetched) or 'none',
                       result.inventory.requests, result.seconds))


class AuditNetwork(command.Lister):
    """Audit network security: port security, security groups and more.

    Reads every resource type it needs once (one paginated list each) and
    reports one row per finding, with the command that fixes it. The scope
    is the current project unless --project or --all-projects is given.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        scope.add_scope_options(parser, verb='Audit')
        parser.add_argument(
            '--timeout', metavar='<seconds>', type=float, default=60.0,
            help='Give up on an API request after this many seconds '
                 '(default: 60); the audit then fails rather than report '
                 'from partial data')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.audit import catalog
        from xloudclient.audit import inventory
        from xloudclient.audit import runner

        if parsed_args.timeout <= 0:
            raise exceptions.CommandError('--timeout must be positive')
        where = scope.resolve_scope(self.app.client_manager, parsed_args)
        checks = catalog.select()
        try:
            result = runner.run(self.app.client_manager.xloud, checks,
                                project_id=where.project_id,
                                timeout=parsed_args.timeout)
        except inventory.InventoryError as e:
            raise exceptions.CommandError(
                'audit failed, no findings reported: %s' % e)
        for line in result.limitations:
            self.app.stderr.write('limitation: %s\n' % line)
        self.app.stderr.write('audit of %s: %s\n' % (
            where.describe(), summary_line(result)))
        return COLUMNS, [_row(f) for f in result.findings]
