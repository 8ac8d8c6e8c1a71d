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


def _to_every_project(inventory, action):
    """{network ID: [IDs of its RBAC policies of action to every
    project]}."""
    found = {}
    for p in inventory.rbac_policies:
        if p.get('object_type') == 'network' and \
                p.get('action') == action and p.get('target_tenant') == '*':
            found.setdefault(p.get('object_id'), []).append(p['id'])
    return found


# Neutron has two RBAC actions for networks (neutron.db.rbac_db_models):
# access_as_shared (ports of any project on it) and access_as_external (a
# router gateway and floating IPs of any project from it). Either one to
# every project is reported; `shared` and `router:external` are what the
# two look like on the network itself.
@check('network-shared-all-projects', 'low',
       'a network open to every project by either RBAC action: shared '
       "(every project's ports on it; medium when port security is off "
       'on it) or, info, external only (every project routes to it)',
       needs=('networks', 'rbac_policies'))
def network_shared_all_projects(inventory, settings):
    shared = _to_every_project(inventory, 'access_as_shared')
    external = _to_every_project(inventory, 'access_as_external')
    # router:external is true for an external network to one project
    # too: where a policy to some project is seen, only one to * counts
    targeted = {p.get('object_id') for p in inventory.rbac_policies
                if p.get('object_type') == 'network' and
                p.get('action') == 'access_as_external'}
    for net in inventory.networks:
        is_shared = net.get('shared') is True or net['id'] in shared
        is_external = net['id'] in external or (
            net.get('router:external') is True and net['id'] not in targeted)
        if is_shared:
            yield _shared_hit(net, shared.get(net['id']), is_external)
        elif is_external:
            yield Hit('network', net,
                      'external to every project%s: any project can put a '
                      'router gateway on it and take floating IPs from it'
                      % (' (RBAC policy)' if net['id'] in external else ''),
                      _remedy(net, external.get(net['id']), '--internal'),
                      severity='info', basis=('external only',))


def _shared_hit(net, policies, is_external):
    off = net.get('port_security_enabled') is False
    return Hit('network', net,
               '%sshared with every project%s%s%s' % (
                   'external and ' if is_external else '',
                   ' (RBAC policy)' if policies else '',
                   ': any project can put ports straight on it, no router '
                   'or floating IP between' if is_external else '',
                   '; port security is off on it' if off else ''),
               _remedy(net, policies, '--no-share'),
               severity='medium' if off else None,
               # what widens it: external too, port security off on it
               basis=(('external',) if is_external else ()) +
               (('port security off',) if off else ()))


def _remedy(net, policies, option):
    """Delete the policies to every project, or unset the attribute."""
    if policies:
        return ('openstack', 'network', 'rbac', 'delete') + tuple(
            sorted(policies))
    return ('openstack', 'network', 'set', option, net['id'])
