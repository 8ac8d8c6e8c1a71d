"""`openstack floating ip harden release` and `... harden restore`."""

from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope


def _rows(parsed_args, names, rows, restore=False):
    """A table shows address, project and action (--long: the IDs too);
    machine formats every column."""
    wide = parsed_args.long or not common.for_people(parsed_args)
    columns = ('Floating IP',) + names_mod.project_headers(parsed_args) + \
        ('Action',)
    if wide:
        columns += ('ID', 'New ID') if restore else ('ID',)
    data = []
    for r in rows:
        row = (r.name,) + names_mod.project_cells(
            parsed_args, names, r.project_id) + (r.action,)
        if wide:
            row += (r.item, r.made[0] if r.made else '') if restore else \
                (r.item,)
        data.append(row)
    return columns, data


def _add_long_option(parser):
    parser.add_argument('--long', action='store_true',
                        help='Also show the floating IP IDs')


class ReleaseFloatingIps(common.OneLineErrors, common.InertText,
                         common.ExitStatusMixin, command.Lister):
    """Release floating IPs that no port uses, after a plan and a backup.

    Takes the unassociated floating IPs in scope (or only those named),
    leaves alone the ones an accepted finding covers and, with
    --unused-for, those changed more recently; prints the plan, writes a
    backup, then releases each at the revision it just read (one
    associated meanwhile is kept). `openstack floating ip harden restore
    <backup>` allocates the same addresses again.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'floating_ips', metavar='<floating-ip>', nargs='*',
            help='Only these floating IPs (address or ID)')
        scope.add_scope_options(parser, verb='Release floating IPs of',
                                repeatable=True)
        parser.add_argument(
            '--unused-for', metavar='<days>', type=int,
            help='Only floating IPs Neutron records no change of (no '
                 'association, disassociation or edit) for this many days; '
                 'Neutron records no traffic')
        common.add_backup_option(parser)
        common.add_dry_run_option(parser, 'Show the plan and change nothing')
        _add_long_option(parser)
        return parser

    def take_action(self, parsed_args):
        import datetime

        from xloudclient.harden import fip_release as fr

        cm = self.app.client_manager
        if parsed_args.unused_for is not None and not \
                0 <= parsed_args.unused_for <= 36500:
            raise exceptions.CommandError(
                '--unused-for takes a number of days from 0 to 36500, not %d'
                % parsed_args.unused_for)
        projects = scope.resolve_projects(cm, parsed_args)
        found = common.run_context(cm).directory(projects)
        fips = fr.read_candidates(cm.xloud, projects)
        now = datetime.datetime.now(datetime.timezone.utc)
        plan = fr.select(fips, parsed_args.floating_ips,
                         parsed_args.unused_for, now,
                         fr.accepted_ids(fips, found.endorsements,
                                         now.date()))
        names = names_mod.project_names(cm, directory=found)
        self._say_plan(plan, names)
        if parsed_args.dry_run or not plan.release:
            return _rows(parsed_args, names, fr.would(plan))
        path = fr.BACKUP.write(parsed_args.backup, fr.backup_body(plan), now)
        self.say('backup: %s (restore with `openstack floating ip harden '
                 'restore %s`)' % (path, path))
        rows = fr.apply_release(cm.xloud, plan)
        line = fr.failures(rows, 'release', _again(rows))
        if line:
            self.say(line)
            self.exit_status = 1
        return _rows(parsed_args, names, rows)

    def _say_plan(self, plan, names):
        for fip, why in plan.kept:
            self.say('plan: keeping %s (project %s): %s' % (
                fip['floating_ip_address'],
                names_mod.name_or_id(names, fip.get('project_id')), why))
        projects = {f.get('project_id') for f in plan.release}
        self.say('plan: %d unassociated floating IP%s to release in %d '
                 'project%s' % (len(plan.release),
                                '' if len(plan.release) == 1 else 's',
                                len(projects),
                                '' if len(projects) == 1 else 's'))


def _again(rows):
    """The release that finishes: the failed floating IPs, in their
    projects (an --all-projects run's are not all in the caller's)."""
    failed = [r for r in rows if r.failed]
    argv = ['openstack', 'floating', 'ip', 'harden', 'release']
    for project in sorted({r.project_id for r in failed if r.project_id}):
        argv += ['--project', project]
    return argv + [r.item for r in failed]


class RestoreFloatingIps(common.OneLineErrors, common.InertText,
                         common.ExitStatusMixin, command.Lister):
    """Allocate the floating IPs of a release backup again.

    Each address is allocated again in its project, with its description
    and tags; one already allocated there is left as it is, one another
    project holds is reported with its holder. Allocating a given address
    is admin-only in Neutron's default policy. A damaged, edited or
    foreign file is refused before anything changes.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('backup', metavar='<backup-file>',
                            help='A backup written by `openstack floating '
                                 'ip harden release`')
        common.add_dry_run_option(
            parser, 'Show what would be restored and change nothing')
        _add_long_option(parser)
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import fip_release as fr
        from xloudclient.harden import fip_release_restore as restoring

        entries = restoring.load_backup(parsed_args.backup)
        rows = restoring.restore(self.app.client_manager.xloud, entries,
                                 dry_run=parsed_args.dry_run)
        line = fr.failures(rows, 'restore', [
            'openstack', 'floating', 'ip', 'harden', 'restore',
            parsed_args.backup])
        if line:
            self.say(line)
            self.exit_status = 1
        names = names_mod.project_names(self.app.client_manager)
        return _rows(parsed_args, names, rows, restore=True)
