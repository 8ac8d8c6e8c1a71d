"""Checks over routers."""

from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit


@check('router-external-gateway', 'info',
       'a router with an external gateway, to confirm as intentional; '
       'medium when SNAT is disabled (tenant subnets routed straight to '
       'the external network)',
       needs=('routers', 'networks'), extensions=('router',))
def external_gateway(inventory, settings):
    for router in inventory.routers:
        gateway = router.get('external_gateway_info')
        if not gateway:
            continue
        snat = gateway.get('enable_snat')
        network = gateway.get('network_id')
        name = inventory.networks_by_id.get(network, {}).get('name') or \
            network
        if snat is False:
            yield Hit('router', router,
                      'gateway on %s with SNAT disabled: tenant addresses '
                      'leave as they are' % name,
                      ('openstack', 'router', 'set', '--external-gateway',
                       network, '--enable-snat', router['id']),
                      severity='medium', basis=(network or '', 'no SNAT'))
        else:
            yield Hit('router', router,
                      'gateway on %s%s: confirm it is intended' % (
                          name, '' if snat else ' (SNAT not visible)'),
                      ('openstack', 'router', 'unset', '--external-gateway',
                       router['id']), basis=(network or '',))
