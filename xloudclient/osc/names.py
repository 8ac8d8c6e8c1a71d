"""Names for the IDs a command prints, fetched once per run."""

from xloudclient.osc import common


def project_names(client_manager, known=None, directory=None):
    """{project ID: name}: one Keystone list for an admin, else what the
    token knows (its own project), plus `known`; with a directory the
    command read already (cloud/directory.py), its names and no other call.
    Keystone refusing or failing never fails the command: an ID without a
    name shows as the ID.
    """
    from xloudclient.cloud import keystone
    from xloudclient.osc import scope

    auth_ref = client_manager.auth_ref
    names = {}
    if auth_ref.project_id:
        names[auth_ref.project_id] = auth_ref.project_name
    names.update({k: v for k, v in (known or {}).items() if k and v})
    if directory is not None and not directory.error:
        names.update(directory.names())
        return names
    if scope.is_admin(client_manager):
        try:
            names.update(keystone.project_names(client_manager))
        except Exception:       # 403, 5xx, timeout: names are a courtesy
            pass
    return names


def name_or_id(names, resource_id):
    """The name for display, or the ID when it has none."""
    return names.get(resource_id) or resource_id or ''


def project_headers(parsed_args):
    """A table shows the project's name as "Project"; other formats keep
    "Project" as the ID (as earlier versions did) and add "Project Name"."""
    if common.for_people(parsed_args):
        return ('Project',)
    return ('Project', 'Project Name')


def project_cells(parsed_args, names, project_id):
    if common.for_people(parsed_args):
        return (name_or_id(names, project_id),)
    return (project_id or '', names.get(project_id) or '')
