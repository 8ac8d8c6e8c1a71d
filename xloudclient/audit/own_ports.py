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

Every other port is an ordinary port, whatever it claims: port security
off or an exposure on it is reported, with the claim in the detail.
Neutron's API does not list a router's interfaces itself (its
``routerports`` table is not exposed), so a project that puts a port of
its own holding its own subnet's gateway address on its own router is
taken at its word; doc/source/trust.rst says so.
"""

NEEDS = ('ports', 'networks', 'subnets', 'routers')
ROUTER_INTERFACES = frozenset((
    'network:router_interface', 'network:router_interface_distributed',
    'network:ha_router_replicated_interface',
    'network:router_centralized_snat'))


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
    if port.get('device_owner') not in ROUTER_INTERFACES or \
            port.get('device_id') not in inventory.by_type('routers'):
        return False
    gateways = _gateways(inventory)
    return any(gateways.get(f.get('subnet_id')) == f.get('ip_address')
               for f in port.get('fixed_ips') or ())


def claim(port):
    """The port's claimed owner, for a finding's detail ('' if none)."""
    if claims_neutron(port):
        return ' (claims %s; not verified as Neutron\'s own)' % \
            port['device_owner']
    return ''
