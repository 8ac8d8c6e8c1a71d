"""Fetch what the audit reads: one paginated, fields-limited list per type.

The result is plain data (lists of dicts), so checks never touch the API.
Any failure to read a resource type raises InventoryError: the audit never
evaluates partial data.
"""

import concurrent.futures
import dataclasses
import urllib.parse

# resource type -> (Neutron path, collection key, fields the checks read)
RESOURCES = {
    'networks': ('/networks', 'networks',
                 ('id', 'name', 'project_id', 'port_security_enabled',
                  'router:external', 'shared')),
    'ports': ('/ports', 'ports',
              ('id', 'name', 'project_id', 'network_id', 'device_owner',
               'device_id', 'port_security_enabled', 'security_groups',
               'allowed_address_pairs', 'fixed_ips', 'tags', 'status')),
}

PAGE_SIZE = 1000


class InventoryError(Exception):
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
    extensions: frozenset = frozenset()
    requests: int = 0

    def has_extension(self, alias):
        return alias in self.extensions


def _error_reason(resp):
    """A one-line reason from a Neutron error response."""
    reason = 'HTTP %d' % resp.status_code
    try:
        body = resp.json()
    except ValueError:
        return reason
    if isinstance(body, dict):
        err = body.get('NeutronError') or body.get('error') or {}
        if isinstance(err, dict) and err.get('message'):
            return '%s: %s' % (reason, err['message'])
    return reason


def _get(client, path, params, timeout, what):
    try:
        resp = client.get(path, params=params, timeout=timeout)
    except Exception as e:  # connection refused, timeout, auth failure...
        raise InventoryError(what, '%s: %s' % (type(e).__name__, e) if
                             str(e) else type(e).__name__)
    if resp.status_code != 200:
        raise InventoryError(what, _error_reason(resp))
    try:
        return resp.json()
    except ValueError:
        raise InventoryError(what, 'the response was not JSON')


def _next_marker(body, key):
    for link in body.get(key + '_links') or ():
        if link.get('rel') == 'next':
            query = urllib.parse.urlparse(link.get('href', '')).query
            marker = urllib.parse.parse_qs(query).get('marker')
            if marker:
                return marker[-1]
    return None


def list_all(client, resource_type, project_id=None, page_size=PAGE_SIZE,
             timeout=None):
    """Every item of one resource type, following Neutron's pagination.

    Returns (items, number of requests made).
    """
    path, key, fields = RESOURCES[resource_type]
    params = {'fields': list(fields), 'limit': page_size}
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
        marker = _next_marker(body, key)
        if not marker or not page:
            return items, requests


def fetch(client, resource_types, project_id=None, page_size=PAGE_SIZE,
          timeout=None, workers=4):
    """Fetch the given resource types concurrently into an Inventory."""
    unknown = set(resource_types) - set(RESOURCES)
    if unknown:
        raise ValueError('unknown resource types: %s' % sorted(unknown))
    inventory = Inventory()
    body = _get(client, '/extensions', None, timeout, 'extensions')
    inventory.requests += 1
    inventory.extensions = frozenset(
        ext.get('alias') for ext in body.get('extensions') or ())
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(list_all, client, rtype, project_id, page_size,
                        timeout): rtype
            for rtype in sorted(set(resource_types))}
        for future in concurrent.futures.as_completed(futures):
            items, requests = future.result()  # InventoryError propagates
            setattr(inventory, futures[future], items)
            inventory.requests += requests
    return inventory
