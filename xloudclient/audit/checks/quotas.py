"""Neutron quotas: what a project may consume (the guide's next step:
limit resource consumption to reduce attack surface).

Neutron lists only the projects given quotas of their own; every other
project gets the defaults (neutron.conf [quotas], one endpoint). Quotas are
the cloud's business: an all-projects audit reads them, in two requests
whatever the number of projects.
"""

from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import settings as settings_mod

UNLIMITED = -1


def _over(row, ceilings):
    """[(key, option, words, limit, ceiling or None)] of the row's quotas
    that are unlimited or above their ceiling."""
    found = []
    for key, _, option, words in settings_mod.QUOTAS:
        limit = row.get(key)
        if type(limit) is not int:
            continue                # not this Neutron's (or unreadable)
        ceiling = ceilings.get(key)
        if limit == UNLIMITED or limit < UNLIMITED or (
                ceiling is not None and limit > ceiling):
            found.append((key, option, words, limit, ceiling))
    return found


def _words(over):
    return registry.listing(
        ('%s %s' % (words, 'unlimited' if limit < 0 else '%d (ceiling %d)'
                    % (limit, ceiling)))
        for _, _, words, limit, ceiling in over)


def _to(key, ceiling, defaults):
    """The limit a fix sets: the ceiling, else Neutron's default when it
    is a limit, else a placeholder the admin replaces."""
    if ceiling is not None:
        return str(ceiling)
    default = defaults.get(key)
    if type(default) is int and default >= 0:
        return str(default)
    return '<limit>'


@check('quota-unlimited', 'medium',
       'a project whose Neutron quota of ports, floating IPs, security '
       'groups or rules, networks, routers or RBAC policies is unlimited '
       '(-1) or above its ceiling in the settings file; and the same of '
       'the defaults every project without quotas of its own gets',
       needs=('quotas', 'quota_defaults'), extensions=('quotas',))
def unlimited(inventory, settings):
    ceilings = settings.quota_ceilings
    defaults = (inventory.quota_defaults or [{}])[0]
    own = sorted((r for r in inventory.quotas if r.get('project_id')),
                 key=lambda r: r['project_id'])
    for row in own:
        over = _over(row, ceilings)
        if over:
            project = row['project_id']
            yield Hit(
                'project', {'id': project, 'name': '',
                            'project_id': project},
                'quotas of its own: %s' % _words(over),
                ('openstack', 'quota', 'set') + tuple(
                    a for key, option, _, _, ceiling in over
                    for a in (option, _to(key, ceiling, defaults))) +
                (project,),
                basis=tuple('%s=%d' % (key, limit)
                            for key, _, _, limit, _ in over))
    over = _over(defaults, ceilings)
    if over:
        yield Hit(
            'quota defaults', {'id': 'default', 'name': 'defaults',
                               'project_id': ''},
            'the defaults, of every project without quotas of its own '
            '(%d have their own): %s; set in neutron.conf [quotas] '
            '(quota_%s)' % (len(own), _words(over), ', quota_'.join(
                key for key, _, _, _, _ in over)),
            ('openstack', 'quota', 'show', '--default', '--network'),
            basis=tuple('%s=%d' % (key, limit)
                        for key, _, _, limit, _ in over))
