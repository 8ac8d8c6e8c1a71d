"""Exposure without a floating IP: ports the internet reaches directly
(the paths of audit/reachability.py)."""

from xloudclient.audit import own_ports
from xloudclient.audit import reach
from xloudclient.audit import reachability
from xloudclient.audit.checks import security_groups
from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import settings as settings_mod


def direct(inventory):
    """{port ID: [Path]}: the ways the internet reaches ports without a
    floating IP (audit/reachability.py)."""
    memo = inventory.memo
    if 'direct paths' not in memo:
        memo['direct paths'] = {
            port_id: found for port_id, found in (
                (i, [p for p in paths
                     if p.kind not in reachability.THROUGH_FLOATING_IP])
                for i, paths in reachability.paths_in(inventory).items())
            if found}
    return memo['direct paths']


NEEDS = own_ports.NEEDS + ('floatingips', 'security_groups',
                           'security_group_rules', 'address_groups')


@check('port-exposes-sensitive-port', 'high',
       'a port the internet reaches without a floating IP (a fixed IP on '
       'an external network, a public one on a provider network, a subnet '
       'behind a router that does not NAT it: SNAT off, the external '
       'network\'s address scope, a global IPv6 address) whose security '
       'groups let SSH or a sensitive port in from anywhere over that IP '
       'version, or whose port security is off',
       needs=NEEDS, extensions=('security-group',))
def exposes_sensitive_port(inventory, settings):
    services = reach.Services((settings_mod.SSH,) +
                              tuple(settings.sensitive_ports))
    ports = inventory.ports_by_id
    for port_id, reached in direct(inventory).items():
        port = ports[port_id]
        if own_ports.is_neutron_own(inventory, port):
            continue
        if port.get('port_security_enabled') is False:
            yield Hit('port', port, 'reachable by %s; port security is off%s'
                      % (reached[0].entry, own_ports.claim(port)),
                      ('openstack', 'port', 'security', 'enable',
                       port['id']),
                      basis=('port security off',) + tuple(
                          sorted(p.entry for p in reached)))
            continue
        for v in sorted({p.version for p in reached}):
            found = reach.exposed(inventory, port, services, v)
            if not found:
                continue
            how = [p.entry for p in reached if p.version == v]
            yield Hit('port', port, 'reachable by %s; open to anywhere '
                      'for %s%s' % (how[0], opened(inventory, found),
                                    own_ports.claim(port)),
                      fix(inventory, port, found), key='IPv%d' % v,
                      basis=tuple(sorted(how)) + basis(inventory, found))


def _once(inventory, what, found, make):
    """make(), worked out once per list reach.exposed gave (ports of the
    same groups share it) and what (which also names the memo)."""
    memo = inventory.memo.setdefault('exposure', {})
    key = (what, id(found))
    held = memo.get(key)
    if held is None or held[0] is not found:
        held = memo[key] = (found, make())
    return held[1]


def opened(inventory, found):
    """The services the rules found open, the first few by name."""
    return _once(inventory, 'opened', found, lambda: registry.listing(
        sorted({n for _, ns in found for n in ns}), noun='services'))


def basis(inventory, found):
    """An exposure's basis: the rules that open it (what their address
    groups hold), and the services each lets in."""
    return _once(inventory, 'basis', found,
                 lambda: _basis(inventory, found))


def _basis(inventory, found):
    return reach.basis(inventory, [r for r, _ in found]) + (
        ('services',) + tuple('%s:%s' % (r['id'], ' '.join(sorted(ns)))
                              for r, ns in sorted(
                                  found, key=lambda x: x[0]['id'])))


WORLD_CHECKS = ('sg-ingress-ssh-from-world',
                'sg-ingress-sensitive-from-world')


def fix(inventory, port, found):
    """The remediation of port's exposure by the rules found, in the
    port's project only: a group of another project (shared with it
    through RBAC) is detached from the port, never edited (its rules
    serve every project it is shared with); the port's own groups' rules
    are deleted, or with more than a finding names, restricted by the
    checks that report them (a command of bounded length)."""
    project = port.get('project_id') or ''
    detach, command = _once(inventory, ('fix', project), found,
                            lambda: _fix(inventory, project, found))
    if detach:
        return ('openstack', 'port', 'unset') + detach + (port['id'],)
    return command


def _fix(inventory, project, found):
    """(the port's options detaching foreign groups, or the command
    editing its own groups' rules): what fix says, less the port."""
    groups = inventory.groups_by_id
    foreign = sorted({r.get('security_group_id') for r, _ in found
                      if (groups.get(r.get('security_group_id')) or {}).get(
                          'project_id', project) != project})
    if foreign:
        return tuple(a for g in foreign[:registry.SHOWN]
                     for a in ('--security-group', g)), None
    ids = [r['id'] for r, _ in found]
    if len(ids) <= registry.SHOWN:
        return (), ('openstack', 'security', 'group', 'rule', 'delete') + \
            tuple(ids)
    return (), security_groups.restrict_command(project, ids,
                                                WORLD_CHECKS)
