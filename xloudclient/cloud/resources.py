"""Every Neutron resource type xloudclient reads or changes, in one table.

name is the type as the inventory holds it and Neutron's JSON list key;
path the REST collection; singular the JSON key of one item; spelled how
findings and the `openstack` CLI spell it; taggable whether it holds tags
(decisions, port-security records); fields what the audit reads (None:
the audit does not list it); extension the Neutron API extension it comes
with ('' for the core API).
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class ResourceType:
    name: str
    path: str
    singular: str
    spelled: str
    taggable: bool = False
    fields: tuple = None
    extension: str = ''
    # the cloud's, not a project's: a project's audit does not list them
    cloud_wide: bool = False


_TYPES = (
    ResourceType('networks', 'networks', 'network', 'network', True,
                 ('id', 'name', 'project_id', 'port_security_enabled',
                  'router:external', 'shared', 'tags', 'ipv4_address_scope',
                  'provider:network_type', 'provider:physical_network',
                  'provider:segmentation_id')),
    ResourceType('ports', 'ports', 'port', 'port', True,
                 ('id', 'name', 'project_id', 'network_id', 'device_owner',
                  'device_id', 'port_security_enabled', 'security_groups',
                  'allowed_address_pairs', 'fixed_ips', 'tags',
                  'mac_address', 'binding:host_id')),
    ResourceType('subnets', 'subnets', 'subnet', 'subnet', False,
                 ('id', 'name', 'network_id', 'project_id', 'gateway_ip',
                  'cidr',
                  'ip_version')),
    ResourceType('security_groups', 'security-groups', 'security_group',
                 'security group', True,
                 ('id', 'name', 'project_id', 'tags'), 'security-group'),
    ResourceType('security_group_rules', 'security-group-rules',
                 'security_group_rule', 'security group rule', False,
                 ('id', 'security_group_id', 'project_id', 'direction',
                  'ethertype', 'protocol', 'port_range_min',
                  'port_range_max', 'remote_ip_prefix', 'remote_group_id',
                  'remote_address_group_id', 'description'),
                 'security-group'),
    ResourceType('floatingips', 'floatingips', 'floatingip', 'floating ip',
                 True,
                 ('id', 'floating_ip_address', 'project_id', 'port_id',
                  'fixed_ip_address', 'floating_network_id', 'router_id',
                  'status', 'description', 'tags', 'port_forwardings'),
                 'router'),
    ResourceType('rbac_policies', 'rbac-policies', 'rbac_policy',
                 'network rbac', False,
                 ('id', 'object_type', 'object_id', 'action',
                  'target_tenant', 'project_id'), 'rbac-policies'),
    ResourceType('address_groups', 'address-groups', 'address_group',
                 'address group', False,
                 ('id', 'name', 'project_id', 'addresses'), 'address-group'),
    ResourceType('routers', 'routers', 'router', 'router', True,
                 ('id', 'name', 'project_id', 'external_gateway_info',
                  'status', 'tags'), 'router'),
    ResourceType('default_security_group_rules',
                 'default-security-group-rules',
                 'default_security_group_rule',
                 'default security group rule', False,
                 ('id', 'direction', 'ethertype', 'protocol',
                  'port_range_min', 'port_range_max', 'remote_ip_prefix',
                  'remote_group_id', 'remote_address_group_id',
                  'description', 'used_in_default_sg',
                  'used_in_non_default_sg'),
                 'security-groups-default-rules', cloud_wide=True),
    # a project's quotas where it has its own (every field: Neutron's list
    # takes no fields), and the defaults (one item): neutron.list_quotas
    ResourceType('quotas', 'quotas', 'quota', 'quota', False, (),
                 'quotas', cloud_wide=True),
    ResourceType('quota_defaults', 'quotas/{project}/default', 'quota',
                 'quota defaults',
                 False, (), 'quotas', cloud_wide=True),
)

TYPES = {t.name: t for t in _TYPES}
_BY_PATH = {t.path: t for t in _TYPES}
# The types the audit lists (in this order).
AUDITED = tuple(t.name for t in _TYPES if t.fields is not None)
# The audited types of no project: the cloud's as a whole.
CLOUD_WIDE = tuple(t.name for t in _TYPES if t.cloud_wide)
# The types that hold tags, hence decisions.
TAGGABLE = tuple(t.name for t in _TYPES if t.taggable)


def at(path):
    """The ResourceType of a REST collection ('security-groups')."""
    return _BY_PATH[path]


def known(path):
    """The ResourceType of a REST collection, or None."""
    return _BY_PATH.get(path)


def spelled(name):
    """How findings and the CLI spell a type ('floatingips': 'floating
    ip')."""
    return TYPES[name].spelled


def named(spelling):
    """The type findings spell so ('floating ip': 'floatingips'); None
    for a finding on no Neutron resource (the cloud)."""
    return next((t.name for t in _TYPES if t.spelled == spelling), None)
