"""Checks over networks."""

from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit


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
                ('openstack', 'network', 'set', '--enable-port-security',
                 net['id']))


def _shared_with_all(inventory):
    """{network ID: [RBAC policy IDs sharing it with every project]}."""
    found = {}
    for p in inventory.rbac_policies:
        if p.get('object_type') == 'network' and \
                p.get('action') == 'access_as_shared' and \
                p.get('target_tenant') == '*':
            found.setdefault(p.get('object_id'), []).append(p['id'])
    return found


@check('network-shared-all-projects', 'low',
       'a network shared with every project (shared, or an RBAC '
       'access_as_shared policy to *) that is not external: every '
       "project's ports on one segment, port security the only isolation; "
       'medium when port security is off on it',
       needs=('networks', 'rbac_policies'))
def network_shared_all_projects(inventory, settings):
    rbac = _shared_with_all(inventory)
    for net in inventory.networks:
        if net.get('router:external') is True:
            continue
        if not (net.get('shared') is True or net['id'] in rbac):
            continue
        off = net.get('port_security_enabled') is False
        yield Hit('network', net,
                  'shared with every project%s%s' % (
                      ' (RBAC policy)' if net['id'] in rbac else '',
                      '; port security is off on it' if off else ''),
                  ('openstack', 'network', 'rbac', 'delete') + tuple(
                      sorted(rbac[net['id']])) if net['id'] in rbac else
                  ('openstack', 'network', 'set', '--no-share', net['id']),
                  severity='medium' if off else None)
