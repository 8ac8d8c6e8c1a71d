"""`network harden explain`'s one entry point: explain(ctx, ExplainRequest)
reads one port's neighbourhood (only what its paths in depend on) and
returns its rows (audit/flows.py): every path in, or one flow's verdict,
or one send's.

What it reads, each a filtered list: the port; its network and subnets;
the ports on that network (router interfaces, VIP reservations and
members, remote-group members); the routers of those interfaces and their
gateways' networks; the floating IPs of those routers (with their port
forwardings); the port's security groups, their rules, the groups and
address groups those name; the RBAC policies of the network and groups.
A router Neutron does not show the caller is a path "not read", never
no path."""

import dataclasses

import netaddr

from xloudclient.audit import flows
from xloudclient.audit import inventory as inventory_mod
from xloudclient.audit import values
from xloudclient.cloud import neutron
from xloudclient.cloud import resources
from xloudclient import errors


class ExplainError(errors.Explained, ValueError):
    """A request explain cannot answer (bad address, protocol, port)."""


@dataclasses.dataclass(frozen=True)
class ExplainRequest:
    """The port (name or ID); a flow (source address, protocol, port as
    the instance sees it) or a send (address, MAC) to judge, or neither
    (every path in)."""

    port: str
    source: str = None
    protocol: str = None
    number: int = None
    send_as: str = None
    mac: str = None


@dataclasses.dataclass
class Explanation:
    port: dict
    rows: list = None               # [flows.Row]: every path in
    verdict: flows.Verdict = None   # a flow's or a send's
    inventory: object = None
    requests: int = 0


def explain(ctx, request):
    """The Explanation of request (ExplainError for a bad one;
    neutron.ListingError when what it needs could not be read)."""
    _check(request)
    port = neutron.find(ctx.neutron, 'ports', request.port,
                        ctx.visible_project)
    inventory = neighbourhood(ctx.neutron, port)
    found = Explanation(port, inventory=inventory,
                        requests=inventory.requests + 1)
    if request.send_as:
        found.verdict = flows.send(inventory, port, request.send_as,
                                   request.mac)
    elif request.source:
        found.verdict = flows.flow(inventory, port, request.source,
                                   request.protocol, request.number)
    else:
        found.rows = flows.rows(inventory, port)
    return found


def _check(request):
    for label, address in (('--from', request.source),
                           ('--send-as', request.send_as)):
        if address is not None:
            try:
                netaddr.IPAddress(address)
            except (netaddr.AddrFormatError, ValueError):
                raise ExplainError('%s %r is not an IP address' % (
                    label, neutron.bounded(address, 60)))
    if request.mac is not None and not netaddr.valid_mac(request.mac):
        raise ExplainError('%r is not a MAC address' %
                           neutron.bounded(request.mac, 60))
    if request.source is not None:
        try:
            values.protocol(request.protocol)
        except values.Unreadable as e:
            raise ExplainError('--protocol: %s' % e)
        if request.number is not None and not 1 <= request.number <= 65535:
            raise ExplainError('--port %d is not a port number (1-65535)'
                               % request.number)


class _Reader:
    """Filtered lists into one Inventory, counting requests; a type
    whose extension the cloud lacks reads as empty."""

    def __init__(self, client):
        self.client = client
        self.inventory = inventory_mod.Inventory()
        self.inventory.extensions = neutron.extensions(client)
        self.inventory.requests = 1

    def where(self, rtype, key, values):
        ext = resources.TYPES[rtype].extension
        values = [v for v in values if v]
        if not values or (ext and not self.inventory.has_extension(ext)):
            return []
        items, made = neutron.list_where(self.client, rtype, key, values)
        self.inventory.requests += made
        return items

    def add(self, rtype, items):
        held = getattr(self.inventory, rtype)
        known = {i['id'] for i in held}
        for item in items:
            if item['id'] not in known:
                known.add(item['id'])
                held.append(item)


def neighbourhood(client, port):
    """The Inventory of what the port's paths in depend on."""
    read = _Reader(client)
    inv = read.inventory
    net_id = port.get('network_id')
    read.add('networks', read.where('networks', 'id', [net_id]))
    read.add('subnets', read.where('subnets', 'network_id', [net_id]))
    read.add('ports', read.where('ports', 'network_id', [net_id]) + [port])
    routers = sorted({p.get('device_id') for p in inv.ports if p.get(
        'device_owner') in inventory_mod.ROUTER_INTERFACES} - {None, ''})
    read.add('routers', read.where('routers', 'id', routers))
    gateways = [(r.get('external_gateway_info') or {}).get('network_id')
                for r in inv.routers]
    read.add('networks', read.where('networks', 'id', gateways))
    fips = read.where('floatingips', 'router_id', routers)
    inv.requests += inventory_mod.forwarded_ranges(client, fips,
                                                   neutron.WHOLE)
    read.add('floatingips', fips)
    groups = list(port.get('security_groups') or ())
    rules = read.where('security_group_rules', 'security_group_id', groups)
    read.add('security_group_rules', rules)
    remotes = [r.get('remote_group_id') for r in rules]
    read.add('security_groups', read.where('security_groups', 'id',
                                           groups + remotes))
    read.add('address_groups', read.where(
        'address_groups', 'id', [r.get('remote_address_group_id')
                                 for r in rules]))
    read.add('rbac_policies', read.where('rbac_policies', 'object_id',
                                         [net_id] + remotes))
    return inv
