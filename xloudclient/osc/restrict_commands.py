"""`openstack security group harden restrict`."""

from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope

CHECK_IDS = ('sg-ingress-ssh-from-world', 'sg-ingress-sensitive-from-world',
             'sg-ingress-any-from-world')   # restrict.CHECKS (not imported:
#                                             start-up stays light)


def rule_rows(parsed_args, names, group_names, rows):
    """Table: project, group, the rule as text, action (--long: the IDs);
    machine formats every column."""
    from xloudclient.audit import rules as rules_mod
    from xloudclient import inert_text

    wide = parsed_args.long or not common.for_people(parsed_args)
    columns = names_mod.project_headers(parsed_args) + (
        'Security Group', 'Rule', 'Action')
    if wide:
        columns += ('Rule ID', 'Security Group ID', 'New Rule IDs')
    data = []
    for r in rows:
        row = names_mod.project_cells(parsed_args, names, r.project_id) + (
            names_mod.name_or_id(group_names, r.group_id),
            inert_text.visible(rules_mod.describe(r.rule)), r.action)
        if wide:
            from osc_lib.cli import format_columns
            row += (r.item, r.group_id,
                    format_columns.ListColumn(r.made))
        data.append(row)
    return columns, data


class RestrictRules(common.OneLineErrors, common.InertText,
                    common.ExitStatusMixin, command.Lister):
    """Restrict rules open from anywhere to management sources.

    Takes the ingress rules the audit reports as open from anywhere (SSH,
    sensitive ports, any protocol; single rules, rules that only together
    cover the world, address groups holding world prefixes), leaves alone
    the ones an accepted finding covers, and replaces each with the same
    rule from the --to prefixes (of its IP version) or the
    --to-address-group. Prints the plan with its blast radius, creates the
    replacements, writes a backup, then deletes the world-open rules.
    `openstack security group harden restore <backup>` undoes it.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'rules', metavar='<rule>', nargs='*',
            help='Only these security group rules (ID)')
        parser.add_argument(
            '--check', metavar='<check-id>', action='append',
            dest='checks', choices=CHECK_IDS,
            help='Rules this audit check reports (%s; repeatable; default '
                 'with rule IDs: all three)' % ', '.join(CHECK_IDS))
        scope.add_scope_options(parser, verb='Restrict rules of',
                                repeatable=True)
        to = parser.add_mutually_exclusive_group(required=True)
        to.add_argument(
            '--to', metavar='<cidr>', action='append', dest='prefixes',
            help='A management or bastion prefix to admit instead '
                 '(repeatable; IPv4 and IPv6 each apply to rules of their '
                 'own version)')
        to.add_argument(
            '--to-address-group', metavar='<address-group>',
            help='Admit this address group instead (name or ID)')
        common.add_settings_option(parser)
        common.add_backup_option(parser)
        common.add_dry_run_option(parser, 'Show the plan and change nothing')
        parser.add_argument('--long', action='store_true',
                            help='Also show the rule and group IDs')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import restrict

        if not parsed_args.rules and not parsed_args.checks:
            raise exceptions.CommandError(
                'name the rules to restrict, or --check %s (or another '
                'world-open check); nothing was changed' % CHECK_IDS[0])
        cm = self.app.client_manager
        sources = _sources(cm.xloud, parsed_args)
        projects = scope.resolve_projects(cm, parsed_args)
        plan, names, group_names = _plan(cm, projects, parsed_args, sources)
        for line in plan_lines(plan, names, group_names):
            self.say('plan: %s' % line)
        if parsed_args.dry_run or not plan.replacements:
            rows = restrict.would(plan)
        else:
            now = _now()
            rows, path = restrict.apply(cm.xloud, plan, parsed_args.backup,
                                        now)
            self.say('backup: %s (restore with `openstack security group '
                     'harden restore %s`)' % (path, path))
            line = restrict.failures(rows, _again(parsed_args, rows))
            if line:
                self.say(line)
                self.exit_status = 1
        return rule_rows(parsed_args, names, group_names, rows)


def _now():
    import datetime
    return datetime.datetime.now(datetime.timezone.utc)


def _sources(client, parsed_args):
    """The Sources of --to or --to-address-group (bad input refused before
    anything is read but the address group)."""
    from xloudclient.harden import restrict

    if parsed_args.prefixes:
        return restrict.prefix_sources(parsed_args.prefixes)
    return restrict.address_group_sources(
        restrict.find_address_group(client, parsed_args.to_address_group))


def _plan(cm, projects, parsed_args, sources):
    """(RestrictPlan, project names, group names) from one read of the
    projects in scope and their endorsements."""
    from xloudclient.audit import settings as settings_mod
    from xloudclient.harden import restrict

    found = common.run_context(cm).directory(projects)
    if found.error:
        raise exceptions.CommandError(
            'cannot verify accepted findings (%s): not restricting rules '
            'a decision may cover; nothing was changed' % found.error)
    settings = settings_mod.load(parsed_args.config)
    inv = restrict.read_inventory(cm.xloud, projects, found.endorsements)
    plan = restrict.plan(inv, settings, parsed_args.checks or
                         restrict.CHECKS, sources, parsed_args.rules)
    group_names = {g['id']: g.get('name') or '' for g in
                   inv.security_groups}
    return plan, names_mod.project_names(cm, directory=found), group_names


def plan_lines(plan, names, group_names):
    """Per group: the rules replaced and the blast radius; then what
    stays (accepted) and the total."""
    from xloudclient.audit import rules as rules_mod

    lines = []
    for g in plan.groups:
        what = sorted({rules_mod.admits(r.rule) for r in g.replacements})
        projects = [names_mod.name_or_id(names, p) for p in g.port_projects]
        lines.append(
            'group %s (project %s): %d rule(s) replaced; %d port(s) in %d '
            'project(s)%s lose %s from anywhere; keep it from %s' % (
                names_mod.name_or_id(group_names, g.group['id']),
                names_mod.name_or_id(names, g.group.get('project_id')),
                len(g.replacements), g.ports, len(projects),
                ' (%s)' % ', '.join(projects) if projects else '',
                '; '.join(what), plan.sources.text()))
    for rule, why in plan.accepted:
        lines.append('keeping rule %s of group %s: %s' % (
            rule['id'], names_mod.name_or_id(
                group_names, rule.get('security_group_id')), why))
    lines.append('%d rule(s) to restrict in %d group(s)' % (
        len(plan.replacements), len(plan.groups)))
    return lines


def _again(parsed_args, rows):
    """The argv that finishes a run: the same sources, the failed rules'
    projects (their IDs are appended)."""
    argv = ['openstack', 'security', 'group', 'harden', 'restrict']
    if parsed_args.prefixes:
        for prefix in parsed_args.prefixes:
            argv += ['--to', prefix]
    else:
        argv += ['--to-address-group', parsed_args.to_address_group]
    for project in sorted({r.project_id for r in rows if r.failed}):
        argv += ['--project', project]
    return argv
