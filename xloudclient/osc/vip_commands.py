"""`openstack port vip add / remove / list`: VIPs for VRRP groups."""

from osc_lib.cli import format_columns
from osc_lib.command import command

from xloudclient.osc import common
from xloudclient.osc import names as names_mod
from xloudclient.osc import scope

ROW_COLUMNS = ('Port', 'Name', 'Action', 'Retries')


def _project_id(app, parsed_args):
    """The project to look names up in, from --project (optional)."""
    if not parsed_args.project:
        scope.refuse_lone_domain(parsed_args)
        return None
    return scope.find_project(app.client_manager, parsed_args.project,
                              parsed_args.project_domain).project_id


def _add_vip_options(parser, mac_help, **dry_run):
    """What add and remove share: --mac-address, --project, --dry-run."""
    parser.add_argument('--mac-address', metavar='<mac-address>',
                        help=mac_help)
    parser.add_argument(
        '--project', metavar='<project>',
        help='Look port names up in this project (name or ID)')
    parser.add_argument(
        '--project-domain', metavar='<project-domain>',
        help='Domain the project belongs to (name or ID)')
    common.add_dry_run_option(parser, **dry_run)


def _rows(rows, parsed_args, dry_run=False):
    """The rows. Retries (revision conflicts retried) is left out of a dry
    run, and of the table when there were none; machine formats keep it."""
    machine = not common.for_people(parsed_args)
    if not dry_run and (machine or any(r.conflicts for r in rows)):
        return ROW_COLUMNS, [(r.item, r.name, r.action, r.conflicts)
                             for r in rows]
    return ROW_COLUMNS[:-1], [(r.item, r.name, r.action) for r in rows]


class AddVip(common.OneLineErrors, common.InertText, command.Lister):
    """Add a virtual IP to every port of a keepalived/VRRP group.

    Validates everything before changing anything: the ports exist and
    share one network, the address is a host inside one of its subnets,
    every port has port security on. Then reserves the address with a port
    of its own (name vip-<address>, so Neutron never hands it to another
    instance) and adds the allowed address pair to each port that lacks
    it, each update guarded by the port's revision. If any step fails, what
    this run changed is undone.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('ip_address', metavar='<ip-address>',
                            help='The virtual IP address')
        parser.add_argument(
            '--port', metavar='<port>', action='append', dest='ports',
            required=True,
            help='A port of the group (name or ID; repeat for each)')
        parser.add_argument(
            '--no-reserve', action='store_true',
            help='Do not reserve the address with a port of its own')
        parser.add_argument(
            '--allow-prefix', action='store_true',
            help='Accept a prefix (CIDR) instead of a host address (never '
                 '/0); a prefix is not reserved')
        _add_vip_options(
            parser, 'Pin the pair to this MAC address (default: each '
                    'port\'s own)',
            text='Validate and show what would change; change nothing')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import vip

        client = self.app.client_manager.xloud
        plan = vip.plan_add(client, vip.AddRequest(
            parsed_args.ip_address, tuple(parsed_args.ports),
            mac=parsed_args.mac_address,
            reserve=not parsed_args.no_reserve,
            allow_prefix=parsed_args.allow_prefix,
            project_id=_project_id(self.app, parsed_args)))
        for warning in plan.warnings:
            self.say('warning: %s' % warning)
        if parsed_args.dry_run:
            return _rows(vip.preview_add(plan), parsed_args, True)
        return _rows(vip.apply_add(client, plan), parsed_args)


class RemoveVip(common.OneLineErrors, common.InertText, command.Lister):
    """Remove a virtual IP from ports (revision-guarded).

    Removing a pair that is not there is reported as unchanged. With
    --release the address's reservation port is deleted too.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('ip_address', metavar='<ip-address>',
                            help='The virtual IP address')
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            '--port', metavar='<port>', action='append', dest='ports',
            help='A port to remove it from (name or ID; repeatable)')
        which.add_argument(
            '--all-ports', action='store_true',
            help='Every port (in your scope) that has the pair')
        parser.add_argument(
            '--network', metavar='<network>',
            help='The VIP\'s network (name or ID), when the address is '
                 'used on several networks or no port has it any more')
        parser.add_argument(
            '--release', action='store_true',
            help='Also delete the reservation port holding the address')
        _add_vip_options(
            parser, 'Only the pair pinned to this MAC (default: every pair '
                    'with the address)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import vip

        client = self.app.client_manager.xloud
        plan = vip.plan_remove(client, vip.RemoveRequest(
            parsed_args.ip_address, tuple(parsed_args.ports or ()),
            all_ports=parsed_args.all_ports,
            mac=parsed_args.mac_address, release=parsed_args.release,
            network=parsed_args.network,
            project_id=_project_id(self.app, parsed_args)))
        if parsed_args.dry_run:
            rows = vip.preview_remove(plan)
        else:
            rows = vip.apply_remove(client, plan)
        if not rows:
            self.say(
                'nothing left to remove: no port in scope has %s%s' % (
                    vip.address_text(plan.net), ' and no reservation holds it'
                    if parsed_args.release else ''))
        return _rows(rows, parsed_args, parsed_args.dry_run)


class ListVips(common.OneLineErrors, common.InertText,
               command.Lister):
    """List virtual IPs: allowed address pairs grouped by address.

    One row per VIP with its member ports, its reservation and warnings
    (not reserved, wider than a host, a single member...). Built from one
    paginated port list.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--network', metavar='<network>',
                            help='Only VIPs on this network (name or ID)')
        scope.add_scope_options(parser, verb='List VIPs of')
        parser.add_argument(
            '--long', action='store_true',
            help='Also show the network ID and the member port IDs')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.harden import vip

        where = scope.resolve_scope(self.app.client_manager, parsed_args)
        vips, net_names, port_names = vip.read_vips(
            self.app.client_manager.xloud, where.project_id,
            parsed_args.network)
        if common.for_people(parsed_args):
            columns = ('Network', 'Address', 'MAC Address', 'Member Ports',
                       'Reservation', 'Warnings')
            if parsed_args.long:
                columns += ('Network ID', 'Member Port IDs')
            return columns, [
                (names_mod.name_or_id(net_names, v.network_id), v.address,
                 v.mac, format_columns.ListColumn(
                     [names_mod.name_or_id(port_names, m)
                      for m in v.members]),
                 v.reservation, format_columns.ListColumn(v.warnings)) +
                ((v.network_id, format_columns.ListColumn(v.members))
                 if parsed_args.long else ())
                for v in vips]
        # Other formats: the keys of earlier versions (IDs), names added.
        columns = ('Network', 'Address', 'MAC Address', 'Member Ports',
                   'Reservation', 'Warnings', 'Network Name',
                   'Member Port Names')
        return columns, [
            (v.network_id, v.address, v.mac,
             format_columns.ListColumn(v.members), v.reservation,
             format_columns.ListColumn(v.warnings),
             net_names.get(v.network_id, ''),
             format_columns.ListColumn([port_names.get(m, '')
                                        for m in v.members]))
            for v in vips]
