"""Virtual IPs for keepalived/VRRP groups: allowed address pairs, safely.

All validation happens before the first change. Every port update is
guarded by the port's revision and retried on a conflict; a failure part
way undoes what this run changed (ports and the reservation it made).
"""

import dataclasses
import ipaddress
import re
import typing

from xloudclient.audit import reservations
from xloudclient.cloud import neutron
from xloudclient import inert_text
from xloudclient import harden

PORTS = 'ports'
RESERVATION_OWNER = reservations.OWNER
MAX_ATTEMPTS = 10
_MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')


MAX_ERRORS = neutron.MAX_ERRORS     # transient errors one step absorbs


def _short(error):
    return neutron.bounded(neutron.describe(error), 80)


def _retrying(fn, *args):
    """fn(*args), again after a transient error (it must be idempotent);
    our own refusals and revision conflicts are not retried here."""
    return neutron.retried(fn, *args, passthrough=(
        harden.Refused, neutron.RevisionConflict))


def _planning(fn):
    """Planning reads only: any failure is one line, nothing changed."""
    def wrapper(*args, **kw):
        try:
            return fn(*args, **kw)
        except harden.Refused:
            raise
        except Exception as e:
            raise harden.Refused('%s; nothing was changed'
                                 % neutron.describe(e))
    wrapper.__doc__ = fn.__doc__
    return wrapper


reservation_name = reservations.name


# --- validation -------------------------------------------------------------

def parse_address(text, allow_prefix=False):
    """The VIP as an ip_network (a host is /32 or /128)."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise harden.Refused('%r is not an IPv4 or IPv6 address' % text)
    if '/' in text and net.prefixlen != net.max_prefixlen:
        if net.prefixlen == 0:
            raise harden.Refused('%s would allow every address: refused'
                                 % text)
        if not allow_prefix:
            raise harden.Refused('%s is a prefix, not a host address (give '
                                 '--allow-prefix to add a prefix)' % text)
    return net


def address_text(net):
    """How the VIP is written in a pair: bare host, or CIDR for a prefix."""
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def parse_mac(text):
    mac = (text or '').strip().lower().replace('-', ':')
    if not _MAC.match(mac):
        raise harden.Refused('%r is not a MAC address (aa:bb:cc:dd:ee:ff)'
                             % text)
    if int(mac[:2], 16) & 1:
        raise harden.Refused('%s is a multicast MAC address; a VIP needs a '
                             'unicast one' % mac)
    if mac == '00:00:00:00:00:00':
        raise harden.Refused('00:00:00:00:00:00 is not a usable MAC address')
    return mac


def _pair_net(pair):
    try:
        return ipaddress.ip_network(pair.get('ip_address'), strict=False)
    except (ValueError, TypeError):
        return None


def has_pair(port, net, mac=None):
    """Whether port already has the VIP pair (with mac, or its own MAC)."""
    want_mac = mac or port.get('mac_address')
    return any(_pair_net(p) == net and
               (p.get('mac_address') or port.get('mac_address')) == want_mac
               for p in port.get('allowed_address_pairs') or ())


def _subnet_for(net, subnets):
    for subnet in subnets:
        try:
            cidr = ipaddress.ip_network(subnet['cidr'])
        except (ValueError, KeyError):
            continue
        if cidr.version == net.version and net.subnet_of(cidr):
            return subnet
    return None


@dataclasses.dataclass
class Plan:
    net: object
    mac: str
    network_id: str
    project_id: str
    ports: list
    subnet: dict
    reservation: dict = None          # an existing reservation to reuse
    reserve: bool = True
    warnings: list = dataclasses.field(default_factory=list)


def _require_pairs_attr(port):
    """harden.Refused unless the port has the attribute a VIP lives in."""
    if 'allowed_address_pairs' not in port:
        raise harden.Refused(
            'port %s has no allowed_address_pairs attribute: the cloud lacks '
            'the allowed-address-pairs extension; nothing was changed'
            % port['id'])


@dataclasses.dataclass(frozen=True)
class AddRequest:
    """`port vip add`: the address (a prefix with allow_prefix), the
    ports named (name or ID), the MAC (None: each port's own), whether to
    reserve the address, and the project the names are looked up in."""

    address: str
    ports: tuple
    mac: str = None
    reserve: bool = True
    allow_prefix: bool = False
    project_id: str = None


@_planning
def plan_add(client, request):
    """The Plan of an AddRequest: resolve and validate everything;
    change nothing."""
    net = parse_address(request.address, request.allow_prefix)
    mac = parse_mac(request.mac) if request.mac is not None else None
    project_id = request.project_id
    ports = _named(client, request.ports, project_id)
    if not ports:
        raise harden.Refused('give at least one --port')
    networks = sorted({p['network_id'] for p in ports})
    if len(networks) > 1:
        raise harden.Refused('the ports are on %d networks (%s); a VIP needs '
                             'them on one' % (len(networks),
                                              ', '.join(networks)))
    network_id = networks[0]
    for port in ports:
        _require_pairs_attr(port)
        if port.get('port_security_enabled') is False:
            raise harden.Refused('port %s has port security disabled; Neutron '
                                 'refuses allowed address pairs on it'
                                 % port['id'])
    subnets = neutron.list_(client, 'subnets',
                            {'network_id': network_id,
                             'fields': ['id', 'cidr', 'name', 'gateway_ip']},
                            'listing subnets of network %s' % network_id)
    subnet = _subnet_for(net, subnets)
    if subnet is None:
        raise harden.Refused(
            '%s is not inside any subnet of network %s (%s)' % (
                address_text(net), network_id,
                ', '.join(s['cidr'] for s in subnets) or 'no subnets'))
    _refuse_special(net, subnet)
    plan = Plan(net, mac, network_id, ports[0]['project_id'], ports,
                subnet, reserve=request.reserve and net.prefixlen ==
                net.max_prefixlen)
    if net.prefixlen == net.max_prefixlen:
        _settle_holder(plan, fixed_ip_holder(client, network_id, net))
    return plan


def _settle_holder(plan, holder):
    """The plan's reservation when the port holding the address is ours;
    a warning or a refusal when another port holds it."""
    if holder is None:
        return
    net, mine = plan.net, {plan.project_id}
    if ours(holder, net, mine):
        if plan.reserve:
            plan.reservation = holder
        return
    if claims_reservation(holder, net):
        raise _look_alike(holder, net, mine)
    message = ('%s is already the fixed IP of port %s (%s)' % (
        address_text(net), holder['id'], holder.get('name') or 'no name'))
    if plan.reserve:
        raise harden.Refused(message + '; pick another address')
    plan.warnings.append(message + ': traffic to it may reach that port '
                         'instead')


def _refuse_special(net, subnet):
    """Refuse the subnet's gateway, network and broadcast addresses."""
    cidr = ipaddress.ip_network(subnet['cidr'])
    host = net.network_address
    what = None
    if subnet.get('gateway_ip') and net.prefixlen == net.max_prefixlen \
            and host == ipaddress.ip_address(subnet['gateway_ip']):
        what = "the gateway address of subnet %s" % subnet['id']
    elif cidr.version == 4 and cidr.prefixlen < 31 and (
            net.prefixlen == net.max_prefixlen) and host in (
            cidr.network_address, cidr.broadcast_address):
        what = ('the %s address of subnet %s (%s)' % (
            'network' if host == cidr.network_address else 'broadcast',
            subnet['id'], cidr))
    elif cidr.version == 6 and net.prefixlen == net.max_prefixlen and \
            host == cidr.network_address:
        what = ('the subnet-router anycast address of subnet %s (%s)'
                % (subnet['id'], cidr))
    if what:
        raise harden.Refused('%s is %s, not a host address for a VIP'
                             % (address_text(net), what))


def fixed_ip_holder(client, network_id, net):
    """The port on the network whose fixed IP is the VIP, if any."""
    found = neutron.list_(client, PORTS, {
        'network_id': network_id,
        'fixed_ips': 'ip_address=%s' % net.network_address},
        'looking up who holds %s' % net.network_address)
    return found[0] if found else None


def claims_reservation(port, net):
    """Whether port is named and owned like a reservation of net. Any
    project can give its ports that name and owner: a claim proves
    nothing (see ours)."""
    return (port.get('name') == reservation_name(address_text(net))
            and port.get('device_owner') == RESERVATION_OWNER)


def ours(port, net, projects):
    """Whether port is the reservation this tool makes for net in one of
    projects (the VIP's ports' project, or the one the admin named): it
    claims to be one, it is in that project (a look-alike of another
    project on a shared network is not), and it is shaped as made: down,
    no device, its one fixed IP the address."""
    return (claims_reservation(port, net)
            and port.get('project_id') in projects
            and port.get('admin_state_up') is False
            and not port.get('device_id')
            and [f.get('ip_address') for f in port.get('fixed_ips') or ()]
            == [str(net.network_address)])


def _look_alike(port, net, projects):
    """The refusal for a port holding the address that claims to be its
    reservation but is not provably ours."""
    return harden.Refused(
        '%s is held by port %s of project %s, named and owned like a VIP '
        'reservation but not one made for project %s: not taking it as '
        'ours; pick another address, or have its project delete it'
        % (address_text(net), port['id'], port.get('project_id') or '?',
           ', '.join(sorted(p for p in projects if p)) or '?'))


# --- guarded pair edits -----------------------------------------------------

def _edit_pairs(client, port_id, change, attempts=MAX_ATTEMPTS):
    """Apply change(port) -> new pairs or None (nothing to do), guarded.

    Transient errors are retried from a fresh read (a write whose answer
    was lost shows there). Returns (changed, conflicts retried).
    """
    conflicts, errors, wrote = 0, neutron.ErrorBudget(), False
    for _ in range(attempts):
        try:
            port = neutron.get(client, PORTS, port_id)
            pairs = change(port)
            if pairs is None:
                return wrote, conflicts
            wrote = True
            neutron.update(client, PORTS, port_id, port['revision_number'],
                           {'allowed_address_pairs': pairs})
            return True, conflicts
        except neutron.RevisionConflict:
            conflicts += 1
        except Exception as e:
            if errors.spent(e):
                raise
    raise harden.Refused('gave up on port %s after %d revision conflicts'
                         % (port_id, conflicts))


def _adder(net, mac):
    def change(port):
        if has_pair(port, net, mac):
            return None
        pair = {'ip_address': address_text(net)}
        if mac:
            pair['mac_address'] = mac
        return list(port.get('allowed_address_pairs') or []) + [pair]
    return change


def _remover(net, mac):
    def change(port):
        pairs = port.get('allowed_address_pairs') or []
        keep = [p for p in pairs if not (
            _pair_net(p) == net and (mac is None or
                                     p.get('mac_address') == mac))]
        return None if len(keep) == len(pairs) else keep
    return change


def _row(port_id, name, action, conflicts=0):
    """The harden.Row of one port (or the reservation)."""
    return harden.Row(port_id, action, name=name, conflicts=conflicts)


def apply_add(client, plan):
    """Reserve, then add the pair to every port; all or nothing."""
    rows, created = [], None
    try:
        if plan.reserve and plan.reservation is None:
            created = create_reservation(client, plan)
        for port in plan.ports:
            did, conflicts = _edit_pairs(client, port['id'],
                                         _adder(plan.net, plan.mac))
            rows.append(_row(port['id'], port.get('name') or '',
                             'added' if did else 'unchanged', conflicts))
    except Exception as e:
        undone = _undo_add(client, plan, created)
        raise harden.Refused('%s; undone: %s' % (
            neutron.describe(e), ', '.join(undone) or 'nothing had changed'))
    holder = created or plan.reservation
    if holder is not None:
        rows.append(_row(holder['id'], holder.get('name') or '',
                         'reserved' if created else 'reservation kept'))
    elif plan.reserve is False:
        rows.append(_row('', '', 'not reserved'))
    return rows


def preview_add(plan):
    rows = [_row(p['id'], p.get('name') or '',
                 'unchanged' if has_pair(p, plan.net, plan.mac)
                 else 'would add') for p in plan.ports]
    if plan.reservation is not None:
        rows.append(_row(plan.reservation['id'], plan.reservation['name'],
                         'reservation kept'))
    elif plan.reserve:
        rows.append(_row('', reservation_name(address_text(plan.net)),
                         'would reserve'))
    else:
        rows.append(_row('', '', 'not reserved'))
    return rows


def _undo_add(client, plan, created):
    """Undo what this run may have changed, judged from fresh reads: the
    pair goes from every port that lacked it when planned, and a
    reservation made by this run (even one whose answer was lost) is
    deleted. Returns what was done, in words."""
    undone, left = [], []
    for port in reversed(plan.ports):
        if has_pair(port, plan.net, plan.mac):
            continue                       # it had the VIP before us
        try:
            if _edit_pairs(client, port['id'],
                           _remover(plan.net, plan.mac))[0]:
                undone.append('port %s rolled back' % port['id'])
        except Exception as e:
            left.append('port %s NOT rolled back (%s)'
                        % (port['id'], _short(e)))
    if plan.reserve and plan.reservation is None:
        try:
            holder = created or _retrying(fixed_ip_holder, client,
                                          plan.network_id, plan.net)
            if holder is not None and ours(holder, plan.net,
                                           {plan.project_id}):
                _retrying(neutron.delete, client, PORTS, holder['id'])
                undone.append('reservation %s deleted' % holder['id'])
        except Exception as e:
            left.append('reservation of %s NOT deleted (%s)'
                        % (address_text(plan.net), _short(e)))
    if left:
        undone += left + ['finish with `%s`' % _finish(
            plan.net, plan.network_id, plan.project_id, True)]
    return undone


def _finish(net, network_id, project_id, release):
    """The command that finishes a removal (a release names the VIP's
    project: only a reservation of that project is taken as ours)."""
    return inert_text.command(
        'openstack', 'port', 'vip', 'remove', address_text(net),
        '--all-ports', '--network', network_id,
        *(('--release', '--project', project_id)
          if release and project_id else
          ('--release',) if release else ()))


def create_reservation(client, plan):
    address = address_text(plan.net)
    body = {'network_id': plan.network_id,
            'name': reservation_name(address),
            'device_owner': RESERVATION_OWNER,
            'admin_state_up': False,
            'description': 'xloudclient: reserves VIP %s for ports %s'
                           % (address, ', '.join(p['id']
                                                 for p in plan.ports)),
            'fixed_ips': [{'subnet_id': plan.subnet['id'],
                           'ip_address': address}]}
    if plan.project_id:
        body['project_id'] = plan.project_id
    return neutron.create(client, PORTS, body, 'reserving %s' % address)


# --- remove -----------------------------------------------------------------

class RemovePlan(typing.NamedTuple):
    """What `port vip remove` does: the pair of net (pinned to mac, or any
    MAC when None) off each of ports, then the reservation port released
    (None: none)."""
    net: object
    mac: str
    ports: list
    reservation: dict = None


@dataclasses.dataclass(frozen=True)
class RemoveRequest:
    """`port vip remove`: the address, the ports named (or all_ports
    holding it, on network if given), the MAC (None: any), whether to
    release the reservation, and the project names are looked up in."""

    address: str
    ports: tuple = ()
    all_ports: bool = False
    mac: str = None
    release: bool = False
    network: str = None
    project_id: str = None


@_planning
def plan_remove(client, request):
    """The RemovePlan of a RemoveRequest: resolve and validate, change
    nothing."""
    net = parse_address(request.address, allow_prefix=True)
    mac = parse_mac(request.mac) if request.mac is not None else None
    network_id, project_id = None, request.project_id
    if request.network:
        network_id = neutron.find(client, 'networks', request.network,
                                  project_id=project_id)['id']
    ports = _ports_of(client, request, net, mac, network_id)
    for port in ports:
        _require_pairs_attr(port)
    networks = sorted({p['network_id'] for p in ports} |
                      ({network_id} if network_id else set()))
    if len(networks) > 1:
        raise harden.Refused('%s is on ports of %d networks (%s); give '
                             '--network' % (address_text(net), len(networks),
                                            ', '.join(networks)))
    reservation = None
    if request.release:
        reservation = _to_release(client, net, ports, networks, project_id)
    return RemovePlan(net, mac, ports, reservation)


def _ports_of(client, request, net, mac, network_id):
    """The ports to remove the pair from: every port holding it (on the
    network, if given) with all_ports, else the ports named, each once."""
    if request.all_ports:
        listed, _ = neutron.list_type(
            client, PORTS, neutron.in_project(request.project_id))
        return [p for p in listed
                if (network_id is None or p['network_id'] == network_id)
                and _remover(net, mac)(p) is not None]
    return _named(client, request.ports, request.project_id)


def _named(client, refs, project_id):
    """The ports named (name or ID, in project_id), each once."""
    ports = []
    for ref in refs:
        port = neutron.find(client, PORTS, ref, project_id=project_id)
        if port['id'] not in {p['id'] for p in ports}:
            ports.append(port)
    return ports


def _to_release(client, net, ports, networks, project_id):
    """The reservation port to release (None when there is none left
    anywhere); harden.Refused when it is not ours or still used by other
    ports."""
    if not networks:
        networks = _reservation_networks(client, net, project_id)
    if len(networks) > 1:
        raise harden.Refused('%s is reserved on %d networks (%s); give '
                             '--network' % (address_text(net), len(networks),
                                            ', '.join(networks)))
    if not networks:
        return None                       # nothing left anywhere
    holder = fixed_ip_holder(client, networks[0], net)
    if holder is not None and not claims_reservation(holder, net):
        raise harden.Refused('%s is held by port %s, which is not a VIP '
                             'reservation: not releasing it'
                             % (address_text(net), holder['id']))
    mine = {p['project_id'] for p in ports} or {project_id}
    if holder is not None and not ours(holder, net, mine):
        if mine == {None}:
            raise harden.Refused(
                'no port holds %s any more: give --project <project> (the '
                "VIP's) to release its reservation, port %s of project %s"
                % (address_text(net), holder['id'],
                   holder.get('project_id') or '?'))
        raise _look_alike(holder, net, mine)
    leaving = {p['id'] for p in ports}
    others = [p['id'] for p in neutron.list_(
        client, PORTS, {'network_id': networks[0],
                        'fields': ['id', 'allowed_address_pairs',
                                   'mac_address']},
        'listing ports of network %s' % networks[0])
        if p['id'] not in leaving and _remover(net, None)(p) is not None]
    if others:
        raise harden.Refused('not releasing %s: ports %s still use it'
                             % (address_text(net), ', '.join(sorted(others))))
    return holder


def _reservation_networks(client, net, project_id):
    """Networks where a reservation port for the address exists."""
    params = {'name': reservation_name(address_text(net)),
              'device_owner': RESERVATION_OWNER,
              'fields': ['id', 'network_id', 'fixed_ips']}
    if project_id:
        params['project_id'] = project_id
    found = neutron.list_(client, PORTS, params,
                          'looking up reservations of %s' % address_text(net))
    return sorted({p['network_id'] for p in found})


def preview_remove(plan):
    """The rows of a dry run of the plan."""
    net, mac, ports, reservation = plan
    rows = [_row(p['id'], p.get('name') or '',
                 'would remove' if _remover(net, mac)(p) is not None
                 else 'unchanged') for p in ports]
    if reservation is not None:
        rows.append(_row(reservation['id'], reservation.get('name') or '',
                         'would release'))
    return rows


def apply_remove(client, plan):
    """Remove the pair from each port, then release; [] if nothing was
    left. A failure names what is done and the command that finishes."""
    net, mac, ports, reservation = plan
    rows = []
    try:
        for port in ports:
            did, conflicts = _edit_pairs(client, port['id'],
                                         _remover(net, mac))
            rows.append(_row(port['id'], port.get('name') or '',
                             'removed' if did else 'unchanged', conflicts))
        if reservation is not None:
            _retrying(neutron.delete, client, PORTS, reservation['id'])
            rows.append(_row(reservation['id'],
                             reservation.get('name') or '', 'released'))
    except Exception as e:
        done = [r.item for r in rows]
        anchor = ports[0] if ports else reservation
        raise harden.Refused(
            '%s; removed from %s; finish with `%s`' % (
                neutron.describe(e), ', '.join(done) or 'no port yet',
                _finish(net, anchor['network_id'],
                        (reservation or {}).get('project_id'),
                        reservation is not None)))
    return rows


# --- list -------------------------------------------------------------------

@dataclasses.dataclass
class Vip:
    network_id: str
    address: str
    mac: str
    members: list
    reservation: str
    warnings: list


def read_vips(client, project_id=None, network=None):
    """(Vips, {network ID: name}, {port ID: name}) of a project (None:
    every project the token sees), on one network (name or ID) if given:
    one paginated port list, one network list per 100 networks."""
    network_id = neutron.find(client, 'networks', network)['id'] \
        if network else None
    ports, _ = neutron.list_type(client, PORTS,
                                 neutron.in_project(project_id))
    if ports and not any('allowed_address_pairs' in p for p in ports):
        raise harden.Refused('the cloud lacks the allowed-address-pairs '
                             'extension: no port holds or can hold a VIP')
    vips = list_vips(ports, network_id)
    networks = neutron.list_by_ids(client, 'networks',
                                   {v.network_id for v in vips})
    return (vips, {i: n.get('name') or '' for i, n in networks.items()},
            {p['id']: p.get('name') or '' for p in ports})


def list_vips(ports, network_id=None):
    """One Vip per (network, address, pinned MAC) from plain port dicts."""
    holders = {}
    for port in ports:
        for fixed in port.get('fixed_ips') or ():
            holders[(port['network_id'], fixed.get('ip_address'))] = port
    groups = {}
    for port in ports:
        if network_id and port['network_id'] != network_id:
            continue
        for pair in port.get('allowed_address_pairs') or ():
            net = _pair_net(pair)
            if net is None:
                continue
            pinned = pair.get('mac_address')
            if pinned == port.get('mac_address'):
                pinned = ''
            key = (port['network_id'], address_text(net), pinned or '')
            groups.setdefault(key, (net, []))[1].append(port)
    vips = []
    for (net_id, address, mac), (net, members) in sorted(groups.items()):
        warnings = []
        holder = holders.get((net_id, str(net.network_address)))
        if net.prefixlen != net.max_prefixlen:
            warnings.append('pair wider than a host (/%d)' % net.prefixlen)
            reservation = 'not reserved (a prefix)'
        elif holder is None:
            reservation = 'not reserved'
            warnings.append('address not reserved: Neutron may hand it to '
                            'another port')
        else:
            reservation = holder['id']
            warnings += _holder_warnings(holder, net, members)
        for port in members:
            if port.get('port_security_enabled') is False:
                warnings.append('member %s has port security disabled'
                                % port['id'])
        if len(members) == 1:
            warnings.append('only one member port')
        vips.append(Vip(net_id, address, mac, sorted(p['id']
                                                     for p in members),
                        reservation, warnings))
    return vips


def _holder_warnings(holder, net, members):
    """What list says of the port holding a VIP's address."""
    if ours(holder, net, {p.get('project_id') for p in members}):
        return []
    if claims_reservation(holder, net):
        return ['address is held by port %s of project %s, a look-alike of '
                'a reservation' % (holder['id'],
                                   holder.get('project_id') or '?')]
    return ['address is the fixed IP of port %s, not a reservation'
            % holder['id']]
