"""`openstack security group harden template`."""

from osc_lib.command import command

from xloudclient.osc import common
from xloudclient.osc import scope

COLUMNS = ('Template', 'Rule', 'Used In', 'Action')
AGAIN = ('openstack', 'security', 'group', 'harden', 'template')
_USED_IN = {(True, True): 'all new groups',
            (True, False): 'new default groups',
            (False, True): 'new other groups'}


class HardenTemplates(common.OneLineErrors, common.InertText,
                      common.ExitStatusMixin, command.Lister):
    """Delete default security group rule templates open from anywhere.

    Neutron copies its default security group rule templates into every
    security group it creates later. This deletes the templates the audit
    reports (sg-template-from-world: SSH, a sensitive port or any protocol
    from anywhere), or only those named, and nothing else. It first shows
    the plan, then writes a backup, then deletes; existing groups keep the
    rules already copied (the audit's world checks report those).
    `openstack security group harden restore <backup>` puts the templates
    back.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'templates', metavar='<template>', nargs='*',
            help='Only these default security group rules (ID)')
        common.add_settings_option(parser)
        common.add_backup_option(parser)
        common.add_dry_run_option(parser, 'Show the plan and change nothing')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.audit import settings as settings_mod
        from xloudclient.harden import default_rules

        scope.require_admin(self.app.client_manager,
                            'hardening the default security group rules')
        settings = settings_mod.load(parsed_args.config)
        client = self.app.client_manager.xloud
        plan = default_rules.plan(client, settings, parsed_args.templates)
        self._say_plan(plan)
        if parsed_args.dry_run:
            rows = default_rules.would(plan)
        elif plan.entries:
            rows = self._apply(client, plan, parsed_args.backup)
        else:
            rows = []
        return COLUMNS, [_row(e, r) for e, r in zip(plan.entries, rows)]

    def _say_plan(self, plan):
        for entry in plan.entries:
            self.say('plan: template %s: %s' % (entry['id'],
                                                plan.details[entry['id']]))
        if not plan.entries:
            self.say('nothing to harden: no default security group rule '
                     'lets SSH, a sensitive port or any protocol in from '
                     'anywhere')
            return
        self.say('plan: %d template(s) to delete; existing groups keep '
                 'the rules already copied from them'
                 % len(plan.entries))

    def _apply(self, client, plan, backup):
        """Back up, delete; say what failed and how to finish."""
        from xloudclient.harden import default_group
        from xloudclient.harden import default_rules
        from xloudclient import inert_text

        path = default_rules.BACKUP.write(
            backup, default_rules.backup_body(plan), default_group.now_utc())
        self.say('backup: %s (restore with `%s`)' % (path, inert_text.command(
            'openstack', 'security', 'group', 'harden', 'restore', path)))
        rows = default_rules.apply(client, plan)
        failed = [e['id'] for e, r in zip(plan.entries, rows) if r.failed]
        if failed:
            self.say('%d of %d templates failed to delete: %s (see the '
                     'Action column); finish with `%s`' % (
                         len(failed), len(rows), ', '.join(failed),
                         inert_text.command(*AGAIN, *failed)))
            self.exit_status = 1
        return rows


def _row(entry, row):
    from xloudclient.audit import rules

    return (entry['id'], rules.describe(entry), _USED_IN.get(
        (entry.get('used_in_default_sg') is True,
         entry.get('used_in_non_default_sg') is True), ''), row.action)
