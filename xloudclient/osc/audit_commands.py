"""`openstack network harden audit` and `network harden check list`."""

from cliff import columns
from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import common
from xloudclient.osc import scope

# What a person reads (`-f table`): short by default, --long for the rest.
COLUMNS = ('Severity', 'Check', 'Resource', 'Project', 'Detail')
LONG_COLUMNS = COLUMNS + ('Resource Type', 'Resource ID', 'Project ID',
                          'Remediation', 'Detail Key')
# What programs read (every other format): every field, always, with the
# keys of earlier versions ("Project" is the ID there) and the name added.
MACHINE_COLUMNS = ('Severity', 'Check', 'Resource Type', 'Resource ID',
                   'Resource Name', 'Project', 'Project Name', 'Detail',
                   'Remediation', 'Detail Key')
EXIT_FINDINGS = 3
FORMATTERS = 'xloudclient.audit.formatter'


class SeverityColumn(columns.FormattableColumn):
    """A severity that sorts by rank, most severe first (so that
    --sort-column Severity orders critical, high, medium, low, info)."""

    def human_readable(self):
        return str(self._value)

    def machine_readable(self):
        return self._value

    def __lt__(self, other):
        from xloudclient.audit.finding import severity_rank

        if not isinstance(other, SeverityColumn):
            return NotImplemented
        return severity_rank(self._value) > severity_rank(other._value)


def rows(findings, names, table, long=False, status=None):
    """(columns, rows) of the findings for a table (for people) or a
    machine format; with status ({id(finding): text}), a Status column."""
    data = []
    for f in findings:
        project = names.get(f.project_id) or f.project_id
        if table:
            row = (SeverityColumn(f.severity), f.check,
                   f.resource_name or f.resource_id, project, f.detail)
            if long:
                row += (f.resource_type, f.resource_id, f.project_id,
                        f.remediation, f.key)
        else:
            row = (SeverityColumn(f.severity), f.check, f.resource_type,
                   f.resource_id, f.resource_name, f.project_id,
                   names.get(f.project_id) or '', f.detail, f.remediation,
                   f.key)
        if status is not None:
            row += (status.get(id(f), 'open'),)
        data.append(row)
    extra = ('Status',) if status is not None else ()
    if not table:
        return MACHINE_COLUMNS + extra, data
    return (LONG_COLUMNS if long else COLUMNS) + extra, data


def _inputs(parsed_args):
    """(checks, settings, baseline or None) from the options, before
    anything is read from the cloud; CommandError when one is bad."""
    from xloudclient.audit import baseline
    from xloudclient.audit import catalog
    from xloudclient.audit import settings as settings_mod

    if not 0 < parsed_args.timeout <= 3600:
        raise exceptions.CommandError(
            '--timeout must be a number of seconds from 0 to 3600, not '
            '%s' % parsed_args.timeout)
    checks = catalog.select(parsed_args.check, parsed_args.skip_check)
    settings = settings_mod.load(
        parsed_args.config,
        [settings_mod.parse_option(s) for s in parsed_args.sensitive_port])
    known = (baseline.load(parsed_args.baseline)
             if parsed_args.baseline else None)
    if not checks:
        raise exceptions.CommandError('no check left to run')
    return checks, settings, known


def summary_line(run):
    """The audit's one-line summary of an AuditRun."""
    from xloudclient.audit.finding import SEVERITIES

    findings, result = run.findings, run.result
    counts = {s: 0 for s in SEVERITIES}
    for finding in findings:
        counts[finding.severity] += 1
    parts = ', '.join('%d %s' % (counts[s], s) for s in SEVERITIES
                      if counts[s])
    not_run, orphans = len(run.not_run), len(run.orphans)
    return ('%d finding%s%s%s%s%s%s; %d resources scanned (%s) in %d API '
            'requests, %.2fs' % (
                len(findings), '' if len(findings) == 1 else 's',
                ' (%s)' % parts if parts else '',
                ', %d more already in the baseline' % run.hidden
                if run.hidden else '',
                ', %d accepted' % len(run.accepted) if run.accepted else '',
                ', %d check%s not run' % (not_run, '' if not_run == 1
                                          else 's') if not_run else '',
                ', %d endorsement%s naming no decision' % (
                    orphans, '' if orphans == 1 else 's') if orphans
                else '',
                result.resources_scanned(),
                ', '.join(result.fetched) or 'none',
                result.inventory.requests, result.seconds))


def _tag_notes(orphans, projects, scopes):
    """The lines after the summary: how to prune the orphans, and the
    projects near Keystone's limit of tags (at most a few named)."""
    from xloudclient.audit import accepted
    from xloudclient.audit import registry
    from xloudclient import inert_text

    where = ('--all-projects',) if scopes is None else tuple(
        a for s in scopes for a in ('--project', s.project_id))
    prune = inert_text.command('openstack', 'network', 'harden', 'accepted',
                               'prune', *where, '--dry-run')
    lines = []
    if orphans:
        lines.append('note: %d endorsement%s name%s a decision that is gone '
                     '(its record or resource was removed): `%s`' % (
                         len(orphans), '' if len(orphans) == 1 else 's',
                         's' if len(orphans) == 1 else '', prune))
    near = sorted((pid, len(p['tags'])) for pid, p in
                  projects.projects.items()
                  if len(p['tags']) >= accepted.NEAR_TAG_LIMIT)
    if near:
        lines.append(
            'warning: Keystone keeps at most %d tags per project, and an '
            'approval needs one: %s; prune (`%s`) or revoke decisions there'
            % (accepted.TAG_LIMIT, registry.listing(
                '%s has %d' % (projects.projects[pid]['name'] or pid, n)
                for pid, n in near), prune))
    return lines


def at_or_above(findings, threshold):
    """Whether any finding is at least as severe as threshold."""
    from xloudclient.audit.finding import severity_rank

    if threshold == 'none':
        return False
    return any(severity_rank(f.severity) >= severity_rank(threshold)
               for f in findings)


class AuditNetwork(common.OneLineErrors, common.InertText,
                   common.ExitStatusMixin,
                   command.Lister):
    """Audit network security: port security, security groups and more.

    Reads every resource type it needs once (one paginated list each) and
    reports one row per finding, with the command that fixes it. Exit code:
    0 when no finding reaches --fail-on, 3 when one does, 1 on errors (then
    no findings are printed: the audit never reports from partial data).
    The scope is the current project unless --project or --all-projects is
    given.
    """

    def get_parser(self, prog_name):
        from xloudclient.audit.finding import SEVERITIES

        choices = SEVERITIES + ('none',)
        parser = super().get_parser(prog_name)
        scope.add_scope_options(parser, verb='Audit', repeatable=True)
        parser.add_argument(
            '--check', metavar='<check-id>', action='append', default=[],
            help='Run only this check (repeat for more; see `openstack '
                 'network harden check list`)')
        parser.add_argument(
            '--skip-check', metavar='<check-id>', action='append',
            default=[], help='Do not run this check (repeatable)')
        parser.add_argument(
            '--fail-on', metavar='<severity>', choices=choices,
            default='high',
            help='Exit with code 3 when a finding is at or above this '
                 'severity: %s (default: high; none never fails)'
                 % ', '.join(choices))
        parser.add_argument(
            '--baseline', metavar='<file>',
            help='A previous `-f json` output of this command: only '
                 'findings not in it are shown and counted for --fail-on')
        parser.add_argument(
            '--sensitive-port', metavar='<name=port[-port][/proto]>',
            action='append', default=[],
            help='Also treat this port as sensitive, e.g. grafana=3000 or '
                 'syslog=514/udp (repeatable; adds to the built-in list '
                 'and the config file)')
        parser.add_argument(
            '--config', metavar='<file>',
            help='Audit settings file (INI; default: '
                 '$XDG_CONFIG_HOME/xloudclient/audit.ini when present)')
        parser.add_argument(
            '--show-accepted', action='store_true',
            help='Also show the findings an accepted decision hides (see '
                 '`openstack network harden accept`), with a Status column')
        parser.add_argument(
            '--long', action='store_true',
            help='Table: also show resource type and ID, project ID, the '
                 'remediation command and the detail key (the other '
                 'formats always carry every field)')
        parser.add_argument(
            '--timeout', metavar='<seconds>', type=float, default=60.0,
            help='Give up on an API request after this many seconds '
                 '(default: 60); the audit then fails rather than report '
                 'from partial data')
        return parser

    def _load_formatter_plugins(self):
        # cliff's list formats, and the audit's reports (html, junit,
        # openmetrics) from a namespace of our own: no other command
        # gains them.
        import stevedore

        listed = super()._load_formatter_plugins()
        ours = stevedore.ExtensionManager(FORMATTERS, invoke_on_load=True)
        return stevedore.ExtensionManager.make_test_instance(
            list(listed) + list(ours), namespace=listed.namespace)

    def take_action(self, parsed_args):
        from xloudclient.audit import audit_run
        from xloudclient.audit import runner

        checks, settings, known = _inputs(parsed_args)
        ctx = common.run_context(self.app.client_manager)
        scopes = scope.resolve_scopes(self.app.client_manager, parsed_args)
        run = self._run(ctx, audit_run.AuditRequest(runner.Scan(
            tuple(checks), scope.project_ids(scopes), settings,
            timeout=parsed_args.timeout,
            progress=self._progress_for(parsed_args)), known,
            scope.describe(scopes)))
        for line in run.limitations:
            self.say('limitation: %s' % line)
        self.say('audit of %s: %s' % (scope.describe(scopes),
                                      summary_line(run)))
        for line in _tag_notes(run.orphans, run.directory, scopes):
            self.say(line)
        findings = run.findings
        if at_or_above(findings, parsed_args.fail_on):
            self.exit_status = EXIT_FINDINGS
        named = [c for c in parsed_args.check if c in run.not_run]
        if named:
            # What was asked for was not looked at: never a clean exit.
            self.say('audit incomplete: %s, named with --check, could not '
                     'run (%s); its exit code is 1, not a verdict' % (
                         ', '.join(named), run.not_run[named[0]]))
            self.exit_status = 1
        parsed_args.xloud_report = run.report
        status = None
        if parsed_args.show_accepted:
            status = {id(f): 'accepted until %s' % d.review_by.isoformat()
                      for f, d in run.accepted}
            findings = sorted(
                findings + [f for f, _ in run.accepted],
                key=lambda f: f.sort_key(run.names))
        table = common.for_people(parsed_args)
        if not table:
            # what was not looked at, in the document itself (a table's
            # reader has the limitation lines above it)
            findings = findings + runner.not_run_records(run.not_run)
        return rows(findings, run.names, table, parsed_args.long, status)

    @staticmethod
    def _run(ctx, request):
        """The AuditRun; a CommandError when the audit could not read
        everything."""
        from xloudclient.audit import audit_run
        from xloudclient.audit import inventory

        try:
            return audit_run.audit(ctx, request)
        except inventory.InventoryError as e:
            raise exceptions.CommandError(
                'audit failed, no findings reported: %s' % e)
        finally:
            if request.scan.progress is not None:
                request.scan.progress.done()

    def _progress_for(self, parsed_args):
        """A Progress on a terminal (one line, updated in place), the
        lines of -v elsewhere, or None (nothing on stderr)."""
        stderr = self.app.stderr
        if stderr.isatty():
            return Progress(stderr)
        options = getattr(self.app, 'options', None)
        if getattr(options, 'verbose_level', 1) > 1:
            return Progress(stderr, in_place=False)
        return None


class Progress:
    """What the audit has fetched so far: the types done and the items
    read, on one line a terminal rewrites, cleared when done."""

    def __init__(self, stream, in_place=True):
        self.stream, self.in_place, self.counts = stream, in_place, {}

    def __call__(self, resource_type, count):
        self.counts[resource_type] = count
        if not self.in_place:
            self.stream.write('fetched %s: %d\n' % (resource_type, count))
            return
        self.stream.write('\r\033[Kfetching: %d type%s done, %d items '
                          '(last: %s)' % (
                              len(self.counts),
                              '' if len(self.counts) == 1 else 's',
                              sum(self.counts.values()), resource_type))
        self.stream.flush()

    def done(self):
        if self.in_place and self.counts:
            self.stream.write('\r\033[K')
            self.stream.flush()


class ListChecks(common.OneLineErrors, common.InertText, command.Lister):
    """List the audit's checks: id, severity, what each flags."""

    auth_required = False       # the catalog needs no cloud

    def take_action(self, parsed_args):
        from xloudclient.audit import catalog

        return (('ID', 'Severity', 'Flags'),
                [(c.id, c.severity, c.summary)
                 for c in catalog.all_checks()])
