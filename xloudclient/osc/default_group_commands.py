"""`openstack security group harden default` and `... harden restore`."""

from osc_lib.command import command

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope

COLUMNS = ('Security Group', 'Rule', 'Ethertype', 'Action',
           'Ports Using Group', 'Ports Only In Default')
RESTORE_COLUMNS = ('Security Group', 'Rule', 'Ethertype', 'Action')


def _project(names, project_id):
    return '%s (%s)' % (names.get(project_id), project_id) \
        if names.get(project_id) else project_id


class HardenDefault(common.OneLineErrors, common.InertText,
                    common.ExitStatusMixin,
                    command.Lister):
    """Remove the permissive same-group rule from default security groups.

    Every project's `default` group admits all traffic from its own
    members. This deletes exactly those ingress rules (remote group = the
    group itself, any protocol, no port range; IPv4 and IPv6) and nothing
    else. It first shows the plan with the blast radius (ports using the
    group, and how many have no other group), then writes a backup, then
    deletes. `openstack security group harden restore <backup>` puts the
    rules back.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        scope.add_scope_options(parser, verb='Harden the default group of',
                                repeatable=True)
        common.add_dry_run_option(parser, 'Show the plan and change nothing')
        common.add_backup_option(parser)
        parser.add_argument(
            '--template', action='store_true',
            help='Also harden Neutron\'s default security group rule '
                 'template, so projects created later get a default group '
                 'without the permissive rule')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import default_group

        client = self.app.client_manager.xloud
        if parsed_args.template:
            scope.require_admin(self.app.client_manager, '--template')
        projects = scope.resolve_projects(self.app.client_manager,
                                          parsed_args)
        # A cloud without the template API refuses here, before any
        # project's rules are touched.
        templates = default_group.plan_templates(client)[0] \
            if parsed_args.template else []
        plans = default_group.plan(client, projects)
        names = names_mod.project_names(self.app.client_manager)
        self._say_plan(plans, names, parsed_args.template and
                       _entries(templates))
        if parsed_args.dry_run:
            rows = default_group.would(plans, templates)
        else:
            rows = self._apply(client, plans, templates, parsed_args.backup)
        self._say_failures(rows, len(plans))
        radius = {p.project_id: (p.ports_using, p.ports_only_default)
                  for p in plans}
        return (names_mod.project_headers(parsed_args) + COLUMNS, [
            names_mod.project_cells(parsed_args, names, r.project_id) +
            (r.group_id, r.item, r.ethertype, r.action) +
            radius.get(r.project_id, ('', '')) for r in rows])

    def _say_plan(self, plans, names, template_line):
        """The plan, per project, with its blast radius."""
        for p in plans:
            if p.group is None:
                self.say('plan: project %s has no default group yet'
                         % _project(names, p.project_id))
                continue
            self.say('plan: project %s, group %s: %d rule(s) to delete; '
                     '%d port(s) use the group, %d of them with no other '
                     'group' % (_project(names, p.project_id),
                                p.group['id'],
                                len(p.rules), p.ports_using,
                                p.ports_only_default))
        if template_line:
            self.say('plan: %s' % template_line)

    def _apply(self, client, plans, templates, backup):
        """Back up what will be deleted (when anything will), delete."""
        from xloudclient.harden import default_group

        if any(p.rules for p in plans) or templates:
            now = default_group.now_utc()
            path = default_group.BACKUP.write(
                backup, default_group.backup_body(plans, templates), now)
            self.say('backup: %s (restore with `openstack security '
                     'group harden restore %s`)' % (path, path))
        return default_group.apply(client, plans, templates)

    def _say_failures(self, rows, projects):
        """What failed, and the command that finishes it (exit status 1)."""
        from xloudclient import inert_text

        failed_projects = sorted({r.project_id for r in rows
                                  if r.failed and r.project_id})
        if failed_projects:
            again = ['openstack', 'security', 'group', 'harden', 'default']
            for p in failed_projects:
                again += ['--project', p]
            self.say('%d of %d projects failed: %s (see the Action column);'
                     ' finish with `%s`' % (
                         len(failed_projects), projects,
                         ', '.join(failed_projects),
                         inert_text.command(*again)))
            self.exit_status = 1
        failed_templates = [r.item for r in rows
                            if r.failed and not r.project_id]
        if failed_templates:
            self.say('the default security group rule template was not '
                     'fully hardened: %s failed; finish with `openstack '
                     'security group harden default --template`'
                     % ', '.join(failed_templates))
            self.exit_status = 1


def _entries(templates):
    return '%d template entr%s to delete' % (
        len(templates), 'y' if len(templates) == 1 else 'ies')


class RestoreDefault(common.OneLineErrors, common.InertText,
                     common.ExitStatusMixin,
                     command.Lister):
    """Restore default security group rules from a harden backup.

    A backup of `harden default` or `harden template`: re-creates every
    rule and template entry in it that is not already present. A backup
    of `harden restrict`: puts the world-open rules back, then deletes
    only the restricted rules that run created. A damaged, edited or
    foreign file is refused before anything changes.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('backup', metavar='<backup-file>',
                            help='A backup written by `openstack security '
                                 'group harden default`, `... harden '
                                 'template` or `... harden restrict`')
        common.add_dry_run_option(
            parser, 'Show what would be restored and change nothing')
        parser.add_argument('--long', action='store_true',
                            help='Also show rule and group IDs (a restrict '
                                 'backup)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import backups
        from xloudclient.harden import default_group_restore
        from xloudclient.harden import restrict_restore
        from xloudclient.harden import default_rules

        data = backups.read(parsed_args.backup)
        if restrict_restore.is_ours(data):
            return self._restore_restricted(data, parsed_args)
        restoring = default_rules if default_rules.is_ours(data) else \
            default_group_restore
        data = restoring.check_backup(data, parsed_args.backup)
        rows = restoring.restore(self.app.client_manager.xloud, data,
                                 dry_run=parsed_args.dry_run)
        failures = [r for r in rows if r.failed]
        if failures:
            from xloudclient import inert_text

            self.say(
                '%d of %d items failed to restore: %s; finish with '
                '`%s`' % (
                    len(failures), len(rows),
                    ', '.join(r.item for r in failures),
                    inert_text.command('openstack', 'security', 'group',
                                       'harden', 'restore',
                                       parsed_args.backup)))
            self.exit_status = 1
        names = names_mod.project_names(self.app.client_manager)
        return (names_mod.project_headers(parsed_args) + RESTORE_COLUMNS,
                [names_mod.project_cells(parsed_args, names, r.project_id) +
                 (r.group_id, r.item, r.ethertype, r.action)
                 for r in rows])

    def _restore_restricted(self, data, parsed_args):
        from xloudclient.harden import restrict
        from xloudclient.harden import restrict_restore
        from xloudclient.osc import restrict_commands

        data = restrict_restore.check_backup(data, parsed_args.backup)
        client = self.app.client_manager.xloud
        rows = restrict_restore.restore(client, data, parsed_args.backup,
                                        dry_run=parsed_args.dry_run)
        failed = [r for r in rows if r.failed]
        if failed:
            from xloudclient import inert_text

            self.say('%d of %d rules failed to restore (%s); finish with '
                     '`%s`' % (len(failed), len(rows), '; '.join(
                         '%s: %s' % (r.item, r.action)
                         for r in failed[:2]), inert_text.command(
                             'openstack', 'security', 'group', 'harden',
                             'restore', parsed_args.backup)))
            self.exit_status = 1
        names = names_mod.project_names(self.app.client_manager)
        groups = restrict.group_names(client, [r.group_id for r in rows])
        return restrict_commands.rule_rows(parsed_args, names, groups, rows)
