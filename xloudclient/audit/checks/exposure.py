"""Exposure without a floating IP: ports the internet reaches directly."""

from xloudclient.audit import own_ports
from xloudclient.audit import reach
from xloudclient.audit.checks import security_groups
from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import settings as settings_mod


def paths(inventory, port):
    """[(IP version, how the internet reaches the port)]: its fixed IPs on
    an external network, and its publicly routable fixed IPs."""
    network = inventory.networks_by_id.get(port.get('network_id')) or {}
    external = network.get('router:external') is True
    found = []
    for fixed in port.get('fixed_ips') or ():
        address = fixed.get('ip_address')
        if not address:
            continue
        v = 6 if ':' in address else 4
        if external:
            found.append((v, 'external network %s (%s)' % (
                network.get('name') or network.get('id'), address)))
        elif reach.is_public(address):
            found.append((v, '%s address %s' % (
                'global' if v == 6 else 'public', address)))
    return found


@check('port-exposes-sensitive-port', 'high',
       'a port the internet reaches without a floating IP (on an external '
       'network, or with a publicly routable fixed IP such as a global '
       'IPv6 address) whose security groups let SSH or a sensitive port '
       'in from anywhere over that IP version, or whose port security is '
       'off',
       needs=own_ports.NEEDS + ('security_groups', 'security_group_rules',
                                'address_groups'),
       extensions=('security-group',))
def exposes_sensitive_port(inventory, settings):
    services = (settings_mod.SSH,) + tuple(settings.sensitive_ports)
    external = {n['id'] for n in inventory.networks
                if n.get('router:external') is True}
    public = reach.is_public
    for port in inventory.ports:
        fixed = port.get('fixed_ips')
        if not fixed or (port.get('network_id') not in external and not any(
                public(f.get('ip_address')) for f in fixed)):
            continue            # the common case: a private tenant port
        if own_ports.is_neutron_own(inventory, port):
            continue
        reached = paths(inventory, port)
        if not reached:
            continue
        if port.get('port_security_enabled') is False:
            yield Hit('port', port, 'reachable by %s; port security is off%s'
                      % (reached[0][1], own_ports.claim(port)),
                      ('openstack', 'port', 'security', 'enable',
                       port['id']),
                      basis=('port security off',) + tuple(
                          sorted(p for _, p in reached)))
            continue
        for v in sorted({v for v, _ in reached}):
            found = reach.exposed(inventory, port, services, v)
            if not found:
                continue
            how = [p for pv, p in reached if pv == v][0]
            yield Hit('port', port, 'reachable by %s; open to anywhere '
                      'for %s%s' % (how, opened(found),
                                    own_ports.claim(port)),
                      fix(inventory, port, found), key='IPv%d' % v,
                      basis=tuple(sorted(p for pv, p in reached
                                         if pv == v)) + basis(inventory,
                                                              found))


def opened(found):
    """The services the rules found open, the first few by name."""
    return registry.listing(sorted({n for _, ns in found for n in ns}),
                            noun='services')


def basis(inventory, found):
    """An exposure's basis: the rules that open it (what their address
    groups hold), and the services each lets in."""
    return reach.basis(inventory, [r for r, _ in found]) + (
        ('services',) + tuple('%s:%s' % (r['id'], ' '.join(sorted(ns)))
                              for r, ns in sorted(
                                  found, key=lambda x: x[0]['id'])))


WORLD_CHECKS = ('sg-ingress-ssh-from-world',
                'sg-ingress-sensitive-from-world')


def fix(inventory, port, found):
    """The remediation of port's exposure by the rules found, in the
    port's project only: a group of another project (shared with it
    through RBAC) is detached from the port, never edited (its rules
    serve every project it is shared with); the port's own groups' rules
    are deleted, or with more than a finding names, restricted by the
    checks that report them (a command of bounded length)."""
    project = port.get('project_id') or ''
    groups = inventory.groups_by_id
    foreign = sorted({r.get('security_group_id') for r, _ in found
                      if (groups.get(r.get('security_group_id')) or {}).get(
                          'project_id', project) != project})
    if foreign:
        return ('openstack', 'port', 'unset') + tuple(
            a for g in foreign[:registry.SHOWN]
            for a in ('--security-group', g)) + (port['id'],)
    ids = [r['id'] for r, _ in found]
    if len(ids) <= registry.SHOWN:
        return ('openstack', 'security', 'group', 'rule', 'delete') + \
            tuple(ids)
    return security_groups.restrict_command(project, ids, WORLD_CHECKS)
