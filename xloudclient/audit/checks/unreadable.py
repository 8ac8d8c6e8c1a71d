"""A value Neutron stored that the audit cannot read is a finding itself:
the checks that need it skip it, this one names it (audit/values.py)."""

from xloudclient.audit.checks import security_groups
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import values


def _rule_values(rule):
    """[(field, value, why)] of a rule's values that cannot be read."""
    found = []
    try:
        values.protocol(rule.get('protocol'))
    except values.Unreadable as e:
        found.append(('protocol', rule.get('protocol'), str(e)))
    if rule.get('remote_ip_prefix') is not None:
        try:
            values.network(rule['remote_ip_prefix'])
        except values.Unreadable as e:
            found.append(('remote_ip_prefix', rule['remote_ip_prefix'],
                          str(e)))
    return found


@check('value-unreadable', 'high',
       'a value Neutron stored that the audit cannot read as Neutron reads '
       "it (an allowed address pair's ip_address, a rule's protocol or "
       'remote prefix, an address group\'s address): the checks that need '
       'it cannot judge what it lets in, so it is reported instead',
       needs=('ports', 'security_groups', 'security_group_rules',
              'address_groups'))
def value_unreadable(inventory, settings):
    for port in inventory.port_digest.paired:
        for pair in port['allowed_address_pairs']:
            address = pair.get('ip_address')
            try:
                values.network(address)
            except values.Unreadable as e:
                spec = 'ip-address=%s' % address
                if pair.get('mac_address'):
                    spec += ',mac-address=%s' % pair['mac_address']
                yield Hit('port', port,
                          'allowed_address_pairs ip_address: %s' % e,
                          ('openstack', 'port', 'unset', '--allowed-address',
                           spec, port['id']), key=str(address))
    seen = {}       # protocol, prefix and their types -> _rule_values
    for rule in inventory.security_group_rules:
        protocol, prefix = rule.get('protocol'), rule.get('remote_ip_prefix')
        # typed: True == 1 and 1.0 == 1 as keys, not as protocols
        shape = (type(protocol), protocol, type(prefix), prefix)
        try:
            found = seen.get(shape)
        except TypeError:       # a value no JSON text of Neutron's holds
            shape = found = None
        if found is None:
            found = _rule_values(rule)
            if shape is not None:
                seen[shape] = found
        for field, value, why in found:
            yield Hit('security group rule',
                      security_groups.rule_resource(inventory, rule),
                      '%s: %s' % (field, why),
                      ('openstack', 'security', 'group', 'rule', 'delete',
                       rule['id']), key='%s=%s' % (field, value))
    for group in inventory.address_groups:
        for address in group.get('addresses') or ():
            try:
                values.network(address)
            except values.Unreadable as e:
                yield Hit('address group', group, 'addresses: %s' % e,
                          ('openstack', 'address', 'group', 'unset',
                           '--address', str(address), group['id']),
                          key=str(address))
