"""`openstack network harden explain`: the guide's troubleshooting card."""

from cliff import columns
from osc_lib.command import command
from osc_lib import exceptions

from xloudclient.osc import common

PATH_COLUMNS = ('Source', 'Entry', 'Admits', 'Rules')
VERDICT_COLUMNS = ('Verdict', 'Reason')


class RulesColumn(columns.FormattableColumn):
    """Rule IDs: in a table each with its group's name beside it; a list
    of IDs in machine formats."""

    def __init__(self, value, groups):
        super().__init__(value)
        self._groups = groups

    def human_readable(self):
        return ', '.join('%s (%s)' % (i, self._groups.get(i) or '?')
                         for i in self._value)

    def machine_readable(self):
        return list(self._value)


class ExplainPort(common.OneLineErrors, common.InertText, command.Lister):
    """Explain how traffic reaches a port, and what it may send as.

    Without options: one row per path in (from the internet: floating IP,
    port forwarding, a VIP's floating IP, an external or provider network,
    a router without SNAT, the gateway's address scope, global IPv6; from
    its own network; from other projects), with what the port's security
    groups admit over it and the rules that do.

    --from/--protocol/--port: whether that flow is admitted, and by which
    path and rule, or why it is dropped. --send-as: whether anti-spoofing
    lets the port send as that address (and MAC), and if not the command
    that would allow it. Reads only the port's neighbourhood.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('port', metavar='<port>',
                            help='The port (name or ID)')
        parser.add_argument(
            '--from', metavar='<ip-address>', dest='source',
            help='Judge traffic from this address (with --protocol)')
        parser.add_argument(
            '--protocol', metavar='<protocol>',
            help='The flow\'s protocol: tcp, udp, icmp, ... or a number')
        parser.add_argument(
            '--port', metavar='<port-number>', dest='number', type=int,
            help='The flow\'s destination port, as the instance sees it '
                 '(after a port forwarding)')
        parser.add_argument(
            '--send-as', metavar='<ip-address>[,<mac-address>]',
            help='Judge whether the port may send as this address (and '
                 'MAC)')
        return parser

    def take_action(self, parsed_args):
        from xloudclient.audit import explain_run

        request = _request(parsed_args)
        found = explain_run.explain(common.run_context(
            self.app.client_manager), request)
        if found.verdict is not None:
            reason = found.verdict.reason
            if found.verdict.command:
                from xloudclient import inert_text
                reason += '; to allow it: %s' % inert_text.command(
                    *found.verdict.command)
            return VERDICT_COLUMNS, [(found.verdict.verdict, reason)]
        groups = {r['id']: (found.inventory.groups_by_id.get(
            r.get('security_group_id')) or {}).get('name') or
            r.get('security_group_id') for r in
            found.inventory.security_group_rules}
        return PATH_COLUMNS, [
            (row.path.source, row.path.entry, row.admits,
             RulesColumn(row.rules, groups)) for row in found.rows]


def _request(parsed_args):
    """The ExplainRequest of the options; one line for a bad mix."""
    from xloudclient.audit import explain_run

    flow = parsed_args.protocol is not None or parsed_args.number is not None
    if parsed_args.source and parsed_args.send_as:
        raise exceptions.CommandError(
            '--from and --send-as judge different things: give one')
    if flow and not parsed_args.source:
        raise exceptions.CommandError(
            '--protocol and --port describe a flow: give --from too')
    if parsed_args.source and parsed_args.protocol is None:
        raise exceptions.CommandError(
            '--from needs --protocol (tcp, udp, icmp, ... or a number)')
    address, mac = parsed_args.send_as, None
    if address and ',' in address:
        address, _, mac = address.partition(',')
    return explain_run.ExplainRequest(
        parsed_args.port, source=parsed_args.source,
        protocol=parsed_args.protocol, number=parsed_args.number,
        send_as=address, mac=mac)
