"""Names for the IDs a command prints, fetched once per run."""

from xloudclient.osc import common


def project_names(client_manager, known=None, directory=None):
    """{project ID: name}: the token's project, `known`, and the names of
    a directory the command read (cloud/directory.py), else one Keystone
    list for an admin (RunContext.project_names). Keystone refusing or
    failing never fails the command: an ID without a name shows as the ID.
    """
    names = {k: v for k, v in (known or {}).items() if k and v}
    names.update(common.run_context(client_manager).project_names(
        directory))
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
