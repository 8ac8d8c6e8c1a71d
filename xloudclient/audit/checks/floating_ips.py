"""Checks over floating IPs."""

from xloudclient.audit import reach
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
       'a port with a floating IP whose security groups let SSH or a '
       'sensitive port in from anywhere: the real exposure path',
       needs=('floatingips', 'ports', 'security_groups',
              'security_group_rules', 'address_groups'),
       extensions=('router', 'security-group'))
def exposes_sensitive_port(inventory, settings):
    services = (settings_mod.SSH,) + tuple(settings.sensitive_ports)
    for fip in inventory.floatingips:
        port = inventory.ports_by_id.get(fip.get('port_id'))
        if port is None:
            continue
        name = port.get('name') or port['id']
        if port.get('port_security_enabled') is False:
            yield Hit('floating ip', _resource(fip),
                      'reaches port %s, whose port security is off' % name,
                      ('openstack', 'port', 'security', 'enable',
                       port['id']),
                      basis=_behind(fip, port) + ('port security off',))
            continue
        found = reach.exposed(inventory, port, services, 4)
        if not found:
            continue
        yield Hit('floating ip', _resource(fip),
                  'reaches port %s, open to anywhere for %s' % (
                      name, exposure.opened(found)),
                  exposure.fix(inventory, port, found),
                  basis=_behind(fip, port) + exposure.basis(inventory,
                                                            found))


def _behind(fip, port):
    """What an exposure through a floating IP starts from: the port
    behind it and the fixed address it is mapped to."""
    return ('port', port['id'], fip.get('fixed_ip_address') or '')
