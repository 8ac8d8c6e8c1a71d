"""Fetch what the audit reads: one paginated, fields-limited list per type.

The result is plain data (lists of dicts), so checks never touch the API.
Any failure to read a resource type raises InventoryError: the audit never
evaluates partial data.
"""

import collections
import concurrent.futures
import dataclasses
import functools

from xloudclient.cloud import neutron
from xloudclient import errors

# resource type -> (Neutron path, collection key, fields the checks read)
RESOURCES = {
    'networks': ('/networks', 'networks',
                 ('id', 'name', 'project_id', 'port_security_enabled',
                  'router:external', 'shared', 'tags')),
    'ports': ('/ports', 'ports',
              ('id', 'name', 'project_id', 'network_id', 'device_owner',
               'device_id', 'port_security_enabled', 'security_groups',
               'allowed_address_pairs', 'fixed_ips', 'tags', 'status',
               'mac_address')),
    'subnets': ('/subnets', 'subnets',
                ('id', 'network_id', 'project_id', 'gateway_ip')),
    'security_groups': ('/security-groups', 'security_groups',
                        ('id', 'name', 'project_id', 'tags')),
    'security_group_rules': (
        '/security-group-rules', 'security_group_rules',
        ('id', 'security_group_id', 'project_id', 'direction', 'ethertype',
         'protocol', 'port_range_min', 'port_range_max', 'remote_ip_prefix',
         'remote_group_id', 'remote_address_group_id', 'description')),
    'floatingips': ('/floatingips', 'floatingips',
                    ('id', 'floating_ip_address', 'project_id', 'port_id',
                     'fixed_ip_address', 'floating_network_id', 'router_id',
                     'status', 'description', 'tags')),
    'rbac_policies': ('/rbac-policies', 'rbac_policies',
                      ('id', 'object_type', 'object_id', 'action',
                       'target_tenant', 'project_id')),
    'address_groups': ('/address-groups', 'address_groups',
                       ('id', 'name', 'project_id', 'addresses')),
    'routers': ('/routers', 'routers',
                ('id', 'name', 'project_id', 'external_gateway_info',
                 'status', 'tags')),
}

# The Neutron extension a resource type's API comes with.
EXTENSION_OF = {
    'security_groups': 'security-group',
    'security_group_rules': 'security-group',
    'floatingips': 'router',
    'routers': 'router',
    'address_groups': 'address-group',
    'rbac_policies': 'rbac-policies',
}

PAGE_SIZE = 1000


class InventoryError(errors.Explained):
    """A resource type could not be read completely."""

    def __init__(self, resource_type, reason):
        super().__init__('could not read %s: %s' % (resource_type, reason))
        self.resource_type = resource_type
        self.reason = reason


@dataclasses.dataclass
class Inventory:
    """Plain data for the checks: one list of dicts per resource type."""

    networks: list = dataclasses.field(default_factory=list)
    ports: list = dataclasses.field(default_factory=list)
    subnets: list = dataclasses.field(default_factory=list)
    security_groups: list = dataclasses.field(default_factory=list)
    security_group_rules: list = dataclasses.field(default_factory=list)
    floatingips: list = dataclasses.field(default_factory=list)
    routers: list = dataclasses.field(default_factory=list)
    address_groups: list = dataclasses.field(default_factory=list)
    rbac_policies: list = dataclasses.field(default_factory=list)
    extensions: frozenset = frozenset()
    requests: int = 0
    # {project ID: {digest: approver}}: the Keystone endorsements of the
    # projects audited (exception_record); None when they could not be
    # read, and then no decision counts.
    endorsements: dict = None
    _by_type: dict = dataclasses.field(default_factory=dict, repr=False,
                                       compare=False)
    # (IP version, remote) -> what a rule with that remote admits
    # (audit/reach.py)
    admitted: dict = dataclasses.field(default_factory=dict, repr=False,
                                       compare=False)
    # What checks derive once per inventory and share (reach, decisions,
    # address pairs), by name.
    memo: dict = dataclasses.field(default_factory=dict, repr=False,
                                   compare=False)

    def has_extension(self, alias):
        return alias in self.extensions

    # Indexes, built on first use (after the fetch is complete).
    @property
    def groups_by_id(self):
        return self.by_type('security_groups')

    @functools.cached_property
    def rules_by_group(self):
        index = collections.defaultdict(list)
        for rule in self.security_group_rules:
            index[rule.get('security_group_id')].append(rule)
        return index

    @functools.cached_property
    def rules_referencing_group(self):
        """Rules that name a group as their remote_group_id."""
        index = collections.defaultdict(list)
        for rule in self.security_group_rules:
            if rule.get('remote_group_id'):
                index[rule['remote_group_id']].append(rule)
        return index

    @property
    def ports_by_id(self):
        return self.by_type('ports')

    @functools.cached_property
    def ports_off(self):
        """The ports whose port security is explicitly off."""
        return [p for p in self.ports
                if p.get('port_security_enabled') is False]

    @property
    def networks_by_id(self):
        return self.by_type('networks')

    @property
    def rules_by_id(self):
        return self.by_type('security_group_rules')

    def by_type(self, resource_type):
        """{id: item} of one resource type (built once; groups_by_id and
        the like are these)."""
        index = self._by_type.get(resource_type)
        if index is None:
            index = {i['id']: i for i in getattr(self, resource_type)}
            self._by_type[resource_type] = index
        return index


def _get(client, path, params, timeout, what):
    try:
        resp = client.get(path, params=params, timeout=timeout)
    except Exception as e:  # connection refused, timeout, auth failure...
        raise InventoryError(what, neutron.describe(e))
    if resp.status_code != 200:
        raise InventoryError(what, 'HTTP %d: %s' % (
            resp.status_code, neutron.message(resp)) if
            neutron.message(resp) != 'HTTP %d' % resp.status_code
            else neutron.message(resp))
    try:
        body = resp.json()
    except ValueError:
        raise InventoryError(what, 'the response was not JSON')
    if not isinstance(body, dict):
        raise InventoryError(what, 'the response was not a JSON object')
    return body


def list_all(client, resource_type, project_id=None, page_size=PAGE_SIZE,
             timeout=None, filters=None, all_fields=False):
    """Every item of one resource type, following Neutron's pagination.

    filters: extra Neutron query filters; all_fields: every attribute, not
    only those the audit reads. Returns (items, number of requests made).
    """
    path, key, fields = RESOURCES[resource_type]
    params = dict(filters or {}, limit=page_size)
    if not all_fields:
        params['fields'] = list(fields)
    if project_id:
        params['project_id'] = project_id
    items, requests, marker = [], 0, None
    while True:
        if marker:
            params['marker'] = marker
        body = _get(client, path, params, timeout, resource_type)
        requests += 1
        page = body.get(key)
        if not isinstance(page, list):
            raise InventoryError(resource_type,
                                 'the response has no %r list' % key)
        items.extend(page)
        marker = neutron.next_marker(body, key)
        if not marker or not page:
            return items, requests


def fetch(client, resource_types, project_id=None, page_size=PAGE_SIZE,
          timeout=None, workers=4, progress=None, ready=None,
          endorsements=None):
    """Fetch the given resource types concurrently into an Inventory
    (with the endorsements read from Keystone, if any).

    ready(done, inventory), if given, is called in this thread whenever a
    type is complete, with the set of types that are (the ones the cloud
    lacks count as complete, and empty): work on them overlaps with the
    rest of the fetch.
    """
    unknown = set(resource_types) - set(RESOURCES)
    if unknown:
        raise ValueError('unknown resource types: %s' % sorted(unknown))
    inventory = Inventory(endorsements=endorsements)
    body = _get(client, '/extensions', None, timeout, 'extensions')
    inventory.requests += 1
    inventory.extensions = frozenset(
        ext.get('alias') for ext in body.get('extensions') or ())
    available = [rtype for rtype in sorted(set(resource_types))
                 if inventory.has_extension(EXTENSION_OF.get(rtype, ''))
                 or rtype not in EXTENSION_OF]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(list_all, client, rtype, project_id, page_size,
                        timeout): rtype
            for rtype in available}
        done = set(resource_types) - set(available)
        for future in concurrent.futures.as_completed(futures):
            items, requests = future.result()  # InventoryError propagates
            setattr(inventory, futures[future], items)
            inventory.requests += requests
            done.add(futures[future])
            if progress:
                progress(futures[future], len(items))
            if ready:
                ready(frozenset(done), inventory)
    return inventory
