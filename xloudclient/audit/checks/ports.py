"""Checks over ports: port security off, documented or not."""

import shlex

from xloudclient.audit.catalog import check
from xloudclient.audit.catalog import Hit
from xloudclient import exception_record


def neutron_owned(port):
    """Router interfaces and gateways, DHCP, floating IP, distributed..."""
    return (port.get('device_owner') or '').startswith('network:')


def _off(port):
    return port.get('port_security_enabled') is False


@check('port-security-disabled', 'high',
       'a port with port security off and no exception record (ports '
       'owned by Neutron itself, device_owner network:*, are not flagged)',
       needs=('ports',), extensions=('port-security',))
def port_security_disabled(inventory, settings):
    for port in inventory.ports:
        if not _off(port) or neutron_owned(port):
            continue
        records, malformed = exception_record.records_in(port.get('tags'))
        if records:
            continue
        why = ('its exception record tag is malformed' if malformed else
               'no exception record documents it')
        owner = port.get('device_owner') or 'no device owner'
        yield Hit(
            'port', port,
            'port security is off (no anti-spoofing, no security groups) '
            'and %s; device owner: %s. If this is a trusted appliance, '
            'document it: openstack port security disable %s --reason '
            '<why>' % (why, owner, port['id']),
            'openstack port security enable %s' % port['id'])


@check('port-security-exception-overdue', 'medium',
       'a documented port-security exception whose review date has passed',
       needs=('ports',), extensions=('port-security',))
def port_security_exception_overdue(inventory, settings):
    for port in inventory.ports:
        if not _off(port):
            continue
        records, _ = exception_record.records_in(port.get('tags'))
        if not records or not records[0].is_overdue(settings.today):
            continue
        record = records[0]
        yield Hit(
            'port', port,
            'port-security exception review was due %s (%d days ago); '
            'reason: %s; granted by %s' % (
                record.review_by.isoformat(),
                -record.days_left(settings.today), record.reason,
                record.granted_by or 'unknown'),
            'openstack port security disable %s --renew --reason %s '
            '--review-in 90' % (port['id'], shlex.quote(record.reason)))
