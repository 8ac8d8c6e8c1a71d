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
from xloudclient.cloud import resources

PAGE_SIZE = neutron.PAGE_SIZE
# A resource type could not be read completely: the audit evaluates
# nothing (cloud/neutron.py raises it).
InventoryError = neutron.ListingError


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
    default_security_group_rules: list = dataclasses.field(
        default_factory=list)
    quotas: list = dataclasses.field(default_factory=list)
    quota_defaults: list = dataclasses.field(default_factory=list)
    extensions: frozenset = frozenset()
    requests: int = 0
    # The types listed (those of an extension the cloud lacks are not),
    # and the types asked for (listed, or absent from this cloud).
    listed: tuple = ()
    asked: tuple = ()
    # Read for some projects only: what holds for the cloud as a whole
    # cannot be judged from it.
    scoped: bool = False
    # {project ID: {digest: (Endorsement, ...)}}: the Keystone
    # endorsements of the projects audited (records.py); None when they
    # could not be read, and then no decision counts.
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
    def port_digest(self):
        """What several checks read across all ports, gathered in one
        pass: a pass over 100,000 port dicts costs 0.04 s in memory reads
        alone, 0.1 s when it walks a nested list (see PortDigest)."""
        paired, interfaces, off, tagged = [], [], [], []
        for port in self.ports:
            if port.get('tags'):
                tagged.append(port)
            if port.get('allowed_address_pairs'):
                paired.append(port)
            if port.get('device_owner') in ROUTER_INTERFACES:
                interfaces.append(port)
            if port.get('port_security_enabled') is False:
                off.append(port)
        return PortDigest(paired, interfaces, off, tagged)

    @property
    def ports_off(self):
        """The ports whose port security is explicitly off."""
        return self.port_digest.off

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


# The ports that hold allowed address pairs; that claim a router
# interface's owner; whose port security is off; that carry tags (from the
# ports alone, top-level keys only: a nested list costs a pass of its
# own).
PortDigest = collections.namedtuple('PortDigest',
                                    'paired interfaces off tagged')
ROUTER_INTERFACES = frozenset((
    'network:router_interface', 'network:router_interface_distributed',
    'network:ha_router_replicated_interface',
    'network:router_centralized_snat'))


@dataclasses.dataclass(frozen=True)
class Fetching:
    """How a fetch runs: items per page, seconds per request (None: the
    client's), lists at once, and whom it tells as it goes: progress(type,
    count) after each type, and ready(done, inventory) (see fetch); the
    extensions' aliases when the caller has read them (None: read)."""

    page_size: int = PAGE_SIZE
    timeout: float = None
    workers: int = 4
    progress: object = None
    ready: object = None
    extensions: frozenset = None


def fetch(client, resource_types, project_id=None, endorsements=None,
          how=Fetching()):
    """Fetch the given resource types concurrently into an Inventory
    (with the endorsements read from Keystone, if any).

    Scoped to projects, a group's rules are the rules of the groups in
    scope, whoever created them: a rule's project_id is its creator's (an
    admin adding a rule to a project's group leaves it in the admin's
    project), so they are listed by security_group_id once the groups are.

    how.ready(done, inventory), if given, is called in this thread whenever
    a type is complete, with the set of types that are (those the cloud
    lacks count as complete, and empty): work on them overlaps with the
    fetch.
    """
    unknown = set(resource_types) - set(resources.AUDITED)
    if unknown:
        raise ValueError('unknown resource types: %s' % sorted(unknown))
    inventory = Inventory(endorsements=endorsements, scoped=bool(project_id))
    if how.extensions is None:
        inventory.extensions = neutron.extensions(client, how.timeout)
        inventory.requests += 1
    else:
        inventory.extensions = frozenset(how.extensions)
    wanted = set(resource_types)
    by_group = project_id is not None and RULES in wanted
    wanted |= {'security_groups'} if by_group else set()
    inventory.asked = tuple(sorted(wanted))
    available = inventory.listed = _listable(inventory, wanted)
    listing = _Lister(client, project_id, how, by_group)
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=how.workers) as pool:
        futures = {pool.submit(listing, rtype): rtype
                   for rtype in available if not (by_group and rtype == RULES)}
        done = wanted - set(available)
        while futures:
            finished, _ = concurrent.futures.wait(
                futures, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                rtype = futures.pop(future)
                items = _keep(inventory, rtype, future.result())
                done.add(rtype)
                if by_group and rtype == 'security_groups' and \
                        RULES in available:
                    futures[pool.submit(listing, RULES, items)] = RULES
                if how.progress:
                    how.progress(rtype, len(items))
                if how.ready:
                    how.ready(frozenset(done), inventory)
    return inventory


RULES = 'security_group_rules'
QUOTAS = ('quotas', 'quota_defaults')


def _keep(inventory, rtype, listed):
    """Keep one type's listing (a _Lister's) in the inventory; its
    items."""
    items, requests, index = listed
    setattr(inventory, rtype, items)
    if index is not None:
        inventory._by_type[rtype] = index
    inventory.requests += requests
    return items


def _listable(inventory, wanted):
    """The wanted types the cloud has (of extensions it has, or none)."""
    return tuple(rtype for rtype in sorted(wanted)
                 if not resources.TYPES[rtype].extension or
                 inventory.has_extension(resources.TYPES[rtype].extension))


class _Lister:
    """Lists one type for a fetch: in scope, or the rules of groups."""

    def __init__(self, client, project_id, how, by_group):
        self.client, self.project_id, self.by_group = (client, project_id,
                                                       by_group)
        self.reading = neutron.Reading(how.page_size, how.timeout)

    def __call__(self, rtype, groups=None):
        """(items, requests, {id: item} or None) of one type: the index
        made as the pages are read, when every item is a dict with an
        id."""
        if self.by_group and rtype == RULES:
            return neutron.list_where(self.client, RULES,
                                      'security_group_id',
                                      [g['id'] for g in groups],
                                      self.reading) + (None,)
        if self.project_id and rtype in resources.CLOUD_WIDE:
            return [], 0, {}        # the cloud's, not a project's
        if rtype in QUOTAS:
            return neutron.list_quotas(self.client, rtype == QUOTAS[1],
                                       self.reading) + (None,)
        index = {}
        items, requests = neutron.list_type(
            self.client, rtype, neutron.in_project(self.project_id),
            self.reading, index=index)
        if rtype == 'floatingips':
            requests += forwarded_ranges(self.client, items, self.reading)
        return items, requests, index if index or not items else None


def forwarded_ranges(client, fips, reading):
    """Requests made to read, for each floating IP whose port forwardings
    Neutron's list gives without their ports (ranges), its own list of
    them, which does; the floating IPs are completed in place."""
    requests = 0
    for fip in fips:
        forwardings = fip.get('port_forwardings') if isinstance(
            fip, dict) else None
        if not isinstance(forwardings, list) or all(
                isinstance(f, dict) and (f.get('internal_port') or
                                         f.get('internal_port_range'))
                for f in forwardings):
            continue
        fip['port_forwardings'], made = neutron.list_forwardings(
            client, fip['id'], reading)
        requests += made
    return requests
