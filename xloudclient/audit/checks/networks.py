"""Checks over networks."""

from xloudclient.audit.catalog import check
from xloudclient.audit.catalog import Hit


@check('network-port-security-disabled', 'high',
       'a network with port_security_enabled false (new ports inherit it)',
       needs=('networks',), extensions=('port-security',))
def network_port_security_disabled(inventory, settings):
    for net in inventory.networks:
        # Only an explicit false counts; a missing attribute means the
        # port-security extension is absent, which the inventory reports.
        if net.get('port_security_enabled') is False:
            yield Hit(
                'network', net,
                'new ports get no anti-spoofing and no security groups',
                'openstack network set --enable-port-security %s'
                % net['id'])
