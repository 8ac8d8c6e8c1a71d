"""Virtual IPs for keepalived/VRRP groups: allowed address pairs, safely.

All validation happens before the first change. Every port update is
guarded by the port's revision and retried on a conflict; a failure part
way undoes what this run changed (ports and the reservation it made).
"""

import dataclasses
import ipaddress
import re

from xloudclient import neutron

PORTS = 'ports'
RESERVATION_OWNER = 'xloud:vip'
MAX_ATTEMPTS = 10
_MAC = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2}){5}$')


class VipError(Exception):
    """A refusal or failure, explained in one line."""


def reservation_name(address):
    return 'vip-%s' % address


# --- validation -------------------------------------------------------------

def parse_address(text, allow_prefix=False):
    """The VIP as an ip_network (a host is /32 or /128)."""
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise VipError('%r is not an IPv4 or IPv6 address' % text)
    if '/' in text and net.prefixlen != net.max_prefixlen:
        if net.prefixlen == 0:
            raise VipError('%s would allow every address: refused' % text)
        if not allow_prefix:
            raise VipError('%s is a prefix, not a host address (give '
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
        raise VipError('%r is not a MAC address (aa:bb:cc:dd:ee:ff)' % text)
    if int(mac[:2], 16) & 1:
        raise VipError('%s is a multicast MAC address; a VIP needs a '
                       'unicast one' % mac)
    if mac == '00:00:00:00:00:00':
        raise VipError('00:00:00:00:00:00 is not a usable MAC address')
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


def plan_add(client, address, port_refs, mac=None, reserve=True,
             allow_prefix=False, project_id=None):
    """Resolve and validate everything; change nothing."""
    net = parse_address(address, allow_prefix)
    mac = parse_mac(mac) if mac else None
    ports = []
    for ref in port_refs:
        port = neutron.find(client, PORTS, ref, project_id=project_id)
        if port['id'] not in {p['id'] for p in ports}:
            ports.append(port)
    if not ports:
        raise VipError('give at least one --port')
    networks = sorted({p['network_id'] for p in ports})
    if len(networks) > 1:
        raise VipError('the ports are on %d networks (%s); a VIP needs them '
                       'on one' % (len(networks), ', '.join(networks)))
    network_id = networks[0]
    for port in ports:
        if port.get('port_security_enabled') is False:
            raise VipError('port %s has port security disabled; Neutron '
                           'refuses allowed address pairs on it' % port['id'])
    subnets = neutron.list_(client, 'subnets',
                            {'network_id': network_id,
                             'fields': ['id', 'cidr', 'name']},
                            'listing subnets of network %s' % network_id)
    subnet = _subnet_for(net, subnets)
    if subnet is None:
        raise VipError('%s is not inside any subnet of network %s (%s)' % (
            address_text(net), network_id,
            ', '.join(s['cidr'] for s in subnets) or 'no subnets'))
    plan = Plan(net, mac, network_id, ports[0]['project_id'], ports,
                subnet, reserve=reserve and net.prefixlen ==
                net.max_prefixlen)
    if plan.reserve:
        holder = fixed_ip_holder(client, network_id, net)
        if holder is not None:
            if is_reservation(holder, net):
                plan.reservation = holder
            else:
                raise VipError(
                    '%s is already the fixed IP of port %s (%s); pick '
                    'another address' % (address_text(net), holder['id'],
                                         holder.get('name') or 'no name'))
    return plan


def fixed_ip_holder(client, network_id, net):
    """The port on the network whose fixed IP is the VIP, if any."""
    found = neutron.list_(client, PORTS, {
        'network_id': network_id,
        'fixed_ips': 'ip_address=%s' % net.network_address},
        'looking up who holds %s' % net.network_address)
    return found[0] if found else None


def is_reservation(port, net):
    return (port.get('name') == reservation_name(address_text(net))
            and port.get('device_owner') == RESERVATION_OWNER)


# --- guarded pair edits -----------------------------------------------------

def _edit_pairs(client, port_id, change, attempts=MAX_ATTEMPTS):
    """Apply change(port) -> new pairs or None (nothing to do), guarded.

    Returns (changed, conflicts retried).
    """
    conflicts = 0
    for _ in range(attempts):
        port = neutron.get(client, PORTS, port_id)
        pairs = change(port)
        if pairs is None:
            return False, conflicts
        try:
            neutron.update(client, PORTS, port_id, port['revision_number'],
                           {'allowed_address_pairs': pairs})
            return True, conflicts
        except neutron.RevisionConflict:
            conflicts += 1
    raise VipError('gave up on port %s after %d revision conflicts'
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


@dataclasses.dataclass
class Row:
    port_id: str
    name: str
    action: str
    conflicts: int = 0


def apply_add(client, plan):
    """Reserve, then add the pair to every port; all or nothing."""
    rows, changed, created = [], [], None
    try:
        if plan.reserve and plan.reservation is None:
            created = create_reservation(client, plan)
        for port in plan.ports:
            did, conflicts = _edit_pairs(client, port['id'],
                                         _adder(plan.net, plan.mac))
            if did:
                changed.append(port)
            rows.append(Row(port['id'], port.get('name') or '',
                            'added' if did else 'unchanged', conflicts))
    except (neutron.NeutronError, VipError) as e:
        undone = _undo_add(client, plan, changed, created)
        raise VipError('%s; undone: %s' % (e, ', '.join(undone) or
                                           'nothing had changed'))
    holder = created or plan.reservation
    if holder is not None:
        rows.append(Row(holder['id'], holder.get('name') or '',
                        'reserved' if created else 'reservation kept'))
    elif plan.reserve is False:
        rows.append(Row('', '', 'not reserved'))
    return rows


def preview_add(plan):
    rows = [Row(p['id'], p.get('name') or '',
                'unchanged' if has_pair(p, plan.net, plan.mac)
                else 'would add') for p in plan.ports]
    if plan.reservation is not None:
        rows.append(Row(plan.reservation['id'], plan.reservation['name'],
                        'reservation kept'))
    elif plan.reserve:
        rows.append(Row('', reservation_name(address_text(plan.net)),
                        'would reserve'))
    else:
        rows.append(Row('', '', 'not reserved'))
    return rows


def _undo_add(client, plan, changed, created):
    undone = []
    for port in reversed(changed):
        try:
            _edit_pairs(client, port['id'], _remover(plan.net, plan.mac))
            undone.append('port %s rolled back' % port['id'])
        except (neutron.NeutronError, VipError) as e:
            undone.append('port %s NOT rolled back (%s)' % (port['id'], e))
    if created is not None:
        try:
            neutron.delete(client, PORTS, created['id'])
            undone.append('reservation %s deleted' % created['id'])
        except neutron.NeutronError as e:
            undone.append('reservation %s NOT deleted (%s)'
                          % (created['id'], e))
    return undone


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

def plan_remove(client, address, port_refs=(), all_ports=False, mac=None,
                release=False, network=None, project_id=None):
    """(net, mac, ports, reservation): resolve and validate, change nothing.
    """
    net = parse_address(address, allow_prefix=True)
    mac = parse_mac(mac) if mac else None
    network_id = None
    if network:
        network_id = neutron.find(client, 'networks', network,
                                  project_id=project_id)['id']
    if all_ports:
        from xloudclient.audit import inventory
        listed, _ = inventory.list_all(client, PORTS, project_id)
        ports = [p for p in listed
                 if (network_id is None or p['network_id'] == network_id)
                 and _remover(net, mac)(p) is not None]
    else:
        ports = []
        for ref in port_refs:
            port = neutron.find(client, PORTS, ref, project_id=project_id)
            if port['id'] not in {p['id'] for p in ports}:
                ports.append(port)
    networks = sorted({p['network_id'] for p in ports} |
                      ({network_id} if network_id else set()))
    if len(networks) > 1:
        raise VipError('%s is on ports of %d networks (%s); give --network'
                       % (address_text(net), len(networks),
                          ', '.join(networks)))
    reservation = None
    if release:
        if not networks:
            raise VipError('no port has %s; give --network to release its '
                           'reservation' % address_text(net))
        holder = fixed_ip_holder(client, networks[0], net)
        if holder is not None and not is_reservation(holder, net):
            raise VipError('%s is held by port %s, which is not a VIP '
                           'reservation: not releasing it'
                           % (address_text(net), holder['id']))
        leaving = {p['id'] for p in ports}
        others = [p['id'] for p in neutron.list_(
            client, PORTS, {'network_id': networks[0],
                            'fields': ['id', 'allowed_address_pairs',
                                       'mac_address']},
            'listing ports of network %s' % networks[0])
            if p['id'] not in leaving and _remover(net, None)(p) is not None]
        if others:
            raise VipError('not releasing %s: ports %s still use it'
                           % (address_text(net), ', '.join(sorted(others))))
        reservation = holder
    return net, mac, ports, reservation


def preview_remove(net, mac, ports, reservation=None):
    rows = [Row(p['id'], p.get('name') or '',
                'would remove' if _remover(net, mac)(p) is not None
                else 'unchanged') for p in ports]
    if reservation is not None:
        rows.append(Row(reservation['id'], reservation.get('name') or '',
                        'would release'))
    return rows


def apply_remove(client, net, mac, ports, reservation=None):
    rows = []
    for port in ports:
        did, conflicts = _edit_pairs(client, port['id'], _remover(net, mac))
        rows.append(Row(port['id'], port.get('name') or '',
                        'removed' if did else 'unchanged', conflicts))
    if reservation is not None:
        neutron.delete(client, PORTS, reservation['id'])
        rows.append(Row(reservation['id'], reservation.get('name') or '',
                        'released'))
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
            if not is_reservation(holder, net):
                warnings.append('address is the fixed IP of port %s, not a '
                                'reservation' % holder['id'])
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
