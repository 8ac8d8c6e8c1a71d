"""Checks over ports: port security off, documented or not."""

from xloudclient.audit import accepted
from xloudclient.audit import own_ports
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient import records as rec


@check('port-security-disabled', 'high',
       'a port with port security off and no exception record an admin '
       'approved '
       "(Neutron's own ports are not flagged: those a project could not "
       'have made, not every port that claims a network: owner)',
       needs=own_ports.NEEDS, extensions=('port-security',))
def port_security_disabled(inventory, settings):
    for port in inventory.ports_off:
        if own_ports.is_neutron_own(inventory, port):
            continue
        if accepted.documenting(inventory, port):
            continue
        records, malformed = rec.records_in(port.get('tags'))
        confirmed = [r for r in records if not r.pending]
        if confirmed:
            why = 'exception recorded by %s, not approved by an admin' % (
                confirmed[0].granted_by or 'someone')
        elif records:
            why = 'exception record never confirmed'
        elif malformed:
            why = 'exception record malformed'
        else:
            why = 'no exception record'
        owner = port.get('device_owner') or 'no device owner'
        if own_ports.claims_neutron(port):
            owner = "claims %s, not verified as Neutron's own" % owner
        yield Hit(
            'port', port, 'port security off, %s (%s)' % (why, owner),
            ('openstack', 'port', 'security', 'enable', port['id']))


@check('port-security-exception-overdue', 'medium',
       'a documented port-security exception whose review date has passed',
       needs=('ports',), extensions=('port-security',))
def port_security_exception_overdue(inventory, settings):
    for port in inventory.ports_off:
        record = accepted.documenting(inventory, port)
        if not record or not record.is_overdue(settings.today):
            continue
        yield Hit(
            'port', port,
            'exception review was due %s, %d days ago; reason: %s' % (
                record.review_by.isoformat(),
                -record.days_left(settings.today), record.reason),
            ('openstack', 'port', 'security', 'disable', port['id'],
             '--renew', '--reason', record.reason, '--review-in', '90'))
