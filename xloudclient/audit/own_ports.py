"""Which ports are Neutron's own: judged from records a project cannot
write, never from the port's claim alone.

Neutron lets a network's owner set any ``device_owner`` on the ports of
that network, ``network:dhcp`` and ``network:router_interface`` included,
and a port's ``device_id`` to any router of its own project. So a port
that says ``network:...`` is Neutron's own only when:

- its network belongs to another project (or to none): Neutron's policy
  lets only a network's owner (or an admin or advanced service) give a
  port a ``network:`` owner, so a project cannot have made it; a floating
  IP's port and a router's gateway port on the external network are such
  ports; or
- it claims to be a router's interface (``network:router_interface``,
  ``..._distributed``, ``network:ha_router_replicated_interface``,
  ``network:router_centralized_snat``), its device is a router the audit
  read, and it holds the gateway address of its subnet: what Neutron
  gives an interface added by subnet.

- it is its network's service port: the port Neutron makes for a
  network's own services, in the network's project, with port security
  off and no groups. ML2/OVN makes one metadata port per network
  (``network:distributed``, device_id ``ovnmeta-<network>``, never
  bound); the DHCP agent of ML2/OVS or linuxbridge one per agent
  (``network:dhcp``, device_id ``dhcp<UUID5 of the agent's host>-<network>``,
  bound to that host). A network's owner can make a port of that shape
  too, so the claim must also hold where the project cannot write:
  the binding, which only an admin (Nova, an agent) sets and only an
  admin reads. With the binding visible, a metadata port must be unbound
  (an instance's port is bound to its host) and a DHCP port bound to the
  host its device_id names. Without it (a member's audit), the port must
  be the one Neutron itself takes for the network's metadata port (the
  lowest ID of that shape), or carry the DHCP device_id of its network.

Every other port is an ordinary port, whatever it claims: port security
off or an exposure on it is reported, with the claim in the detail.
Neutron's API does not list a router's interfaces itself (its
``routerports`` table is not exposed), so a project that puts a port of
its own holding its own subnet's gateway address on its own router is
taken at its word; doc/source/trust.rst says so.
"""

import uuid

from xloudclient.audit import inventory

NEEDS = ('ports', 'networks', 'subnets', 'routers')
METADATA = 'network:distributed'
DHCP = 'network:dhcp'
HOST = 'binding:host_id'    # read by admins only; set by admins only
ROUTER_INTERFACES = inventory.ROUTER_INTERFACES


def claims_neutron(port):
    return (port.get('device_owner') or '').startswith('network:')


def _gateways(inventory):
    """{subnet ID: gateway address} (once per inventory)."""
    memo = inventory.memo
    if 'gateways' not in memo:
        memo['gateways'] = {s['id']: s.get('gateway_ip')
                            for s in inventory.subnets
                            if s.get('gateway_ip')}
    return memo['gateways']


def is_neutron_own(inventory, port):
    """Whether the port is Neutron's own (see the module's text)."""
    if not claims_neutron(port):
        return False
    network = inventory.networks_by_id.get(port.get('network_id'))
    project = port.get('project_id') or ''
    if not project or network is None or \
            (network.get('project_id') or '') != project:
        # A network the audit did not read is outside every project
        # audited, the port's own included.
        return True
    if port.get('device_owner') in (METADATA, DHCP):
        return is_service_port(inventory, port)
    if port.get('device_owner') not in ROUTER_INTERFACES or \
            port.get('device_id') not in inventory.by_type('routers'):
        return False
    gateways = _gateways(inventory)
    return any(gateways.get(f.get('subnet_id')) == f.get('ip_address')
               for f in port.get('fixed_ips') or ())


def is_service_port(inventory, port):
    """Whether the port is its network's metadata or DHCP port, judged
    from what its project cannot write (see the module's text)."""
    network = port.get('network_id') or ''
    if port.get('security_groups') or not network:
        return False
    device = port.get('device_id') or ''
    if port.get('device_owner') == METADATA:
        if device != 'ovnmeta-' + network:
            return False
        if HOST in port:
            return not port[HOST]
        return port.get('id') == _metadata_ports(inventory).get(network)
    host = port.get(HOST)
    if HOST in port:
        expected = dhcp_device_id(host, network) if host else None
        return bool(host) and (device == expected or _segment_of(
            device, expected))
    # dhcp<UUID>-<network>[-<segmentation ID>]
    head, _, tail = device.partition('-' + network)
    return head.startswith('dhcp') and _is_uuid(head[4:]) and (
        not tail or _segment_of(tail, ''))


def _segment_of(device, prefix):
    """Whether device is prefix-<segmentation ID> (a DHCP port of one
    segment of a routed network)."""
    if prefix is None or not device.startswith(prefix + '-'):
        return False
    return device[len(prefix) + 1:].isdigit()


def dhcp_device_id(host, network):
    """The device_id Neutron's DHCP agent on host gives its port on a
    network (neutron.common.utils.get_dhcp_agent_device_id)."""
    short = host.split('.')[0]
    return 'dhcp%s-%s' % (uuid.uuid5(uuid.NAMESPACE_DNS, short), network)


def _is_uuid(text):
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def _metadata_ports(inventory):
    """{network ID: the port Neutron takes for its metadata port}: of the
    ports of that shape, the lowest ID (Neutron looks it up by network,
    device_id and owner, one result, in ID order)."""
    memo = inventory.memo
    if 'metadata ports' not in memo:
        found = {}
        for p in inventory.ports:
            network = p.get('network_id') or ''
            if p.get('device_owner') == METADATA and \
                    p.get('device_id') == 'ovnmeta-' + network:
                found[network] = min(found.get(network, p['id']), p['id'])
        memo['metadata ports'] = found
    return memo['metadata ports']


def claim(port):
    """The port's claimed owner, for a finding's detail ('' if none)."""
    if claims_neutron(port):
        return ' (claims %s; not verified as Neutron\'s own)' % \
            port['device_owner']
    return ''
