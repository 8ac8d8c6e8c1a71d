"""Security groups every project may join.

A group shared with every project (an RBAC policy access_as_shared to
'*') can be put on any project's port. A rule that names the group as its
remote group admits the addresses of every port in the group: once any
project can join it, any project's port is let in by that rule, whether
the rule sits in the group itself (a same-group rule) or in another
group that names it.
"""

from xloudclient.audit import rbac
from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import rules


@check('sg-shared-all-projects-remote', 'high',
       'a security group shared with every project (RBAC to *) that an '
       'ingress rule names as its remote group (a same-group rule in it, '
       "or another group's rule): any project's port can join it and is "
       'then let in by that rule; one finding per group',
       needs=('security_groups', 'security_group_rules', 'rbac_policies'),
       extensions=('security-group',))
def shared_remote(inventory, settings):
    shared = rbac.to_every_project(inventory, 'security_group')
    if not shared:
        return
    referencing = inventory.rules_referencing_group
    groups = inventory.groups_by_id
    for group_id, policies in sorted(shared.items(), key=str):
        found = sorted((r for r in referencing.get(group_id, ())
                        if rules.is_ingress(r)), key=lambda r: r['id'])
        if not found:
            continue
        group = groups.get(group_id) or {'id': group_id, 'name': '',
                                         'project_id': ''}
        own = [r for r in found if r.get('security_group_id') == group_id]
        others = sorted({r.get('security_group_id') for r in found
                         if r.get('security_group_id') != group_id}, key=str)
        words = []
        if own:
            words.append('%d same-group rule(s)' % len(own))
        if others:
            words.append('rules of group(s) %s' % registry.listing(
                (groups.get(g) or {}).get('name') or g for g in others))
        yield Hit(
            'security group', group,
            'shared with every project (RBAC policy %s): any project\'s '
            'port can join it and is let in by %s (%s)'
            % (registry.listing(sorted(policies)), ' and '.join(words),
               registry.listing(r['id'] for r in found)),
            ('openstack', 'network', 'rbac', 'delete') + tuple(
                sorted(policies)),
            basis=('rules',) + tuple(r['id'] for r in found) +
            ('policies',) + tuple(sorted(policies)))
