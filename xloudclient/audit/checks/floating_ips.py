"""Checks over floating IPs."""

from xloudclient.audit import reach
from xloudclient.audit import reachability
from xloudclient.audit.checks import exposure
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import settings as settings_mod


def _resource(fip):
    return dict(fip, name=fip.get('floating_ip_address') or '')


@check('fip-unassociated', 'low',
       'a floating IP with no port and no port forwarding: a wasted public '
       'address (decided by port_id and port_forwardings, not by status)',
       needs=('floatingips',), extensions=('router',))
def unassociated(inventory, settings):
    for fip in inventory.floatingips:
        if not fip.get('port_id') and not fip.get('port_forwardings'):
            # the plan first (a backup is written before the release;
            # `floating ip harden restore` allocates it again)
            yield Hit('floating ip', _resource(fip),
                      'allocated but not associated with any port',
                      ('openstack', 'floating', 'ip', 'harden', 'release',
                       fip['id'], '--dry-run'))


@check('fip-exposes-sensitive-port', 'high',
       'a floating IP that reaches a port whose security groups let SSH '
       'or a sensitive port in from anywhere: on the port, through a port '
       'forwarding (the internal ports it forwards to), or on a VIP\'s '
       'reservation port (the members holding the VIP)',
       needs=exposure.NEEDS, extensions=('router', 'security-group'))
def exposes_sensitive_port(inventory, settings):
    services = reach.Services((settings_mod.SSH,) +
                              tuple(settings.sensitive_ports))
    fips = inventory.by_type('floatingips')
    ports = inventory.ports_by_id
    for port_id, paths in reachability.paths_in(inventory).items():
        port = ports[port_id]
        for path in paths:
            if path.kind not in reachability.THROUGH_FLOATING_IP:
                continue
            fip = fips[path.via]
            if port.get('port_security_enabled') is False:
                yield Hit('floating ip', _resource(fip), '%s, whose port '
                          'security is off' % _reaches(path, port),
                          ('openstack', 'port', 'security', 'enable',
                           port['id']), key=path.key,
                          basis=_behind(path, port) + ('port security off',))
                continue
            found = reachability.opened(inventory, port, path, services)
            if not found:
                continue
            services_text = exposure.opened(inventory, found)
            yield Hit('floating ip', _resource(fip),
                      '%s, open to anywhere for %s' % (
                          _reaches(path, port), services_text),
                      exposure.fix(inventory, port, found), key=path.key,
                      basis=_behind(path, port) + exposure.basis(inventory,
                                                                 found))


def _reaches(path, port):
    """What the floating IP reaches, in words."""
    name = port.get('name') or port['id']
    if path.kind == reachability.FORWARDING:
        return 'forwards %s to port %s' % (path.entry.split(' ', 3)[3],
                                           name)
    if path.kind == reachability.VIP:
        return 'reaches VIP %s held by port %s' % (path.address, name)
    return 'reaches port %s' % name


def _behind(path, port):
    """What an exposure through a floating IP starts from: the port
    behind it, the fixed address it is mapped to, how."""
    return ('port', port['id'], path.address) + (
        (path.entry,) if path.kind != reachability.FLOATING_IP else ())
