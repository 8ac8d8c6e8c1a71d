"""Checks over networks."""

from xloudclient.audit import rbac
from xloudclient.audit import registry
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
            kind = net.get('provider:network_type')
            yield Hit(
                'network', net,
                'new ports get no anti-spoofing and no security groups%s'
                % ('; a %s provider network: they sit unfiltered on the '
                   'physical network' % kind if kind in PHYSICAL else ''),
                ('openstack', 'network', 'set', '--enable-port-security',
                 net['id']))


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
    shared = rbac.to_every_project(inventory, 'network')
    external = rbac.to_every_project(inventory, 'network', rbac.EXTERNAL)
    # router:external is true for an external network to one project
    # too: where a policy to some project is seen, only one to * counts
    targeted = rbac.grants(inventory, 'network', rbac.EXTERNAL)
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


PHYSICAL = ('flat', 'vlan')


# Provider attributes are an admin's to read: a member's audit sees none
# and reports nothing here (documented on the check's page).
@check('network-provider-projects', 'medium',
       'a flat or VLAN provider network projects may put ports on (their '
       'ports sit on the physical network, no router between): shared '
       'with every project; info when given to some projects through RBAC '
       '(to confirm); high when port security is off on it',
       needs=('networks', 'rbac_policies'))
def provider_projects(inventory, settings):
    for net in inventory.networks:
        kind = net.get('provider:network_type')
        if kind not in PHYSICAL:
            continue
        given = rbac.to_other_projects(inventory, 'network', net)
        every = [i for i, target in given if target == rbac.EVERY]
        some = [(i, target) for i, target in given if target != rbac.EVERY]
        to_all = net.get('shared') is True or bool(every)
        if not (to_all or some):
            continue                # its own project's (an admin's) only
        off = net.get('port_security_enabled') is False
        segment = net.get('provider:segmentation_id')
        where = '%s %s%s' % (kind, net.get('provider:physical_network') or
                             '?', '' if segment is None else
                             ' segment %s' % segment)
        if to_all:
            whom = 'every project'
        else:
            whom = 'project(s) %s' % registry.listing(
                sorted({target for _, target in some}))
        if off:
            fix = ('openstack', 'network', 'set', '--enable-port-security',
                   net['id'])
        elif to_all:
            fix = _remedy(net, every, '--no-share')
        else:
            fix = ('openstack', 'network', 'rbac', 'delete') + tuple(
                sorted(i for i, _ in some))
        yield Hit(
            'network', net,
            'provider network (%s) %s can put ports on: they sit on the '
            'physical network, no router between%s' % (
                where, whom, '; port security is off on it' if off else ''),
            fix, severity='high' if off else None if to_all else 'info',
            basis=(kind, where, 'every project' if to_all else whom) +
            (('port security off',) if off else ()))
