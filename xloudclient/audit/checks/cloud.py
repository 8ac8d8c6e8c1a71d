"""Checks over the cloud as a whole: is anything filtered at all."""

from xloudclient.audit import own_ports
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit

CLOUD = {'id': 'neutron', 'name': 'Neutron', 'project_id': ''}
EXTENSIONS = ('openstack', 'extension', 'list', '--network', '-c', 'Alias')


@check('cloud-unfiltered', 'critical',
       'no port of the cloud is filtered: Neutron offers no security '
       'groups, or port security is off on every port instances use',
       needs=own_ports.NEEDS)
def cloud_unfiltered(inventory, settings):
    if not inventory.has_extension('security-group'):
        yield Hit('cloud', CLOUD,
                  'Neutron offers no security groups (no security-group '
                  'extension): every port takes any traffic and may send '
                  'from any address', EXTENSIONS,
                  key='no-security-groups')
        return
    if inventory.scoped or not inventory.has_extension('port-security'):
        return          # a project's ports are not the cloud's
    ordinary = 0            # ports instances use, all unfiltered so far
    for port in inventory.ports:
        if own_ports.is_neutron_own(inventory, port):
            continue
        if port.get('port_security_enabled') is not False:
            return          # one is filtered (the common case: at once)
        ordinary += 1
    if ordinary:
        yield Hit('cloud', CLOUD,
                  'port security is off on every one of the %d ports '
                  'instances use: none is filtered' % ordinary,
                  ('openstack', 'network', 'harden', 'audit',
                   '--all-projects', '--check', 'port-security-disabled'),
                  key='port-security-off-everywhere')
