"""RBAC policies, read once per inventory: to whom an object is given.

Neutron's RBAC policies give a network, a security group or an address
group to one project or, with target '*', to every project; the actions
are access_as_shared (use it: ports on a network, a group on ports) and,
for networks, access_as_external (a router gateway and floating IPs
from it). A policy's target is the project it gives to; a policy to the
object's own project gives nothing.
"""

SHARED, EXTERNAL = 'access_as_shared', 'access_as_external'
EVERY = '*'


def grants(inventory, object_type, action=SHARED):
    """{object ID: [(policy ID, target project)]} of the policies of action
    on objects of object_type, in listing order (built once)."""
    key = ('rbac', object_type, action)
    found = inventory.memo.get(key)
    if found is None:
        found = {}
        for p in inventory.rbac_policies:
            if p.get('object_type') == object_type and \
                    p.get('action') == action:
                found.setdefault(p.get('object_id'), []).append(
                    (p.get('id'), p.get('target_tenant') or ''))
        inventory.memo[key] = found
    return found


def to_every_project(inventory, object_type, action=SHARED):
    """{object ID: [IDs of its policies of action to every project]}."""
    found = {}
    for object_id, given in grants(inventory, object_type, action).items():
        ids = [i for i, target in given if target == EVERY]
        if ids:
            found[object_id] = ids
    return found


def to_other_projects(inventory, object_type, item, action=SHARED):
    """[(policy ID, target)] giving item to every project or to a project
    other than its own."""
    owner = item.get('project_id')
    return [(i, target) for i, target in grants(
        inventory, object_type, action).get(item.get('id'), ())
        if target != owner]
