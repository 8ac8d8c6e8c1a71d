"""Project scope options shared by commands: --project, --all-projects."""

import dataclasses

from osc_lib import exceptions


@dataclasses.dataclass(frozen=True)
class Scope:
    """project_id None means every project (admin only)."""

    project_id: str
    project_name: str

    @property
    def all_projects(self):
        return self.project_id is None

    def describe(self):
        if self.all_projects:
            return 'all projects'
        return 'project %s (%s)' % (self.project_name, self.project_id)


def add_scope_options(parser, verb='Audit', repeatable=False):
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        '--project', metavar='<project>',
        action='append' if repeatable else 'store',
        help='%s this project (name or ID) instead of the current one%s'
             % (verb, '; repeatable' if repeatable else ''))
    group.add_argument(
        '--all-projects', action='store_true',
        help='%s every project (admin only)' % verb)
    parser.add_argument(
        '--project-domain', metavar='<project-domain>',
        help='Domain the project belongs to (name or ID), to tell apart '
             'projects of the same name')


def is_admin(client_manager):
    """Whether the token has the admin role."""
    return 'admin' in (client_manager.auth_ref.role_names or ())


def refuse_lone_domain(parsed_args):
    """CommandError when --project-domain comes without --project."""
    if parsed_args.project_domain:
        raise exceptions.CommandError('--project-domain needs --project')


def require_admin(client_manager, what):
    """CommandError unless the token has the admin role."""
    auth_ref = client_manager.auth_ref
    if not is_admin(client_manager):
        raise exceptions.CommandError(
            '%s needs the admin role; user %s has %s in project %s'
            % (what, auth_ref.username,
               ', '.join(sorted(auth_ref.role_names)) or 'no role',
               auth_ref.project_name))


def resolve_scope(client_manager, parsed_args):
    """A Scope from the parsed options; CommandError when not allowed."""
    auth_ref = client_manager.auth_ref
    if parsed_args.all_projects:
        require_admin(client_manager, '--all-projects')
        return Scope(None, None)
    if not parsed_args.project:
        refuse_lone_domain(parsed_args)
        return Scope(auth_ref.project_id, auth_ref.project_name)
    return _find_project(client_manager, auth_ref, parsed_args.project,
                         parsed_args.project_domain)


def find_project(client_manager, name_or_id, domain=None):
    """The Scope of one project by name or ID; CommandError if unknown."""
    return _find_project(client_manager, client_manager.auth_ref,
                         name_or_id, domain)


def _find_project(client_manager, auth_ref, name_or_id, domain):
    own_domain = domain in (None, auth_ref.project_domain_id,
                            auth_ref.project_domain_name)
    if name_or_id == auth_ref.project_id or (
            name_or_id == auth_ref.project_name and own_domain):
        return Scope(auth_ref.project_id, auth_ref.project_name)

    from xloudclient.cloud import keystone

    try:
        project_id, name = keystone.find_project(client_manager, name_or_id,
                                                 domain)
    except keystone.LookupFailed as e:
        raise exceptions.CommandError(_lookup_message(
            keystone, e, name_or_id, domain))
    return Scope(project_id, name)


def _lookup_message(keystone, error, name_or_id, domain):
    """What to tell the user when a --project lookup failed."""
    if isinstance(error, keystone.DomainNotFound):
        return ('no domain %r that you may look up (--project-domain takes '
                'a domain name or ID)' % domain)
    if isinstance(error, keystone.ProjectForbidden):
        return ('not allowed to look up project %r (only an admin may act '
                'on another project)' % name_or_id)
    if isinstance(error, keystone.ProjectAmbiguous):
        return ('more than one project is named %r: give its ID or '
                '--project-domain' % name_or_id)
    return 'no project %r%s' % (name_or_id, ' in domain %r' % domain
                                if domain else '')


def resolve_scopes(client_manager, parsed_args):
    """Scopes for a repeatable --project (each once); None for
    --all-projects; the token's project by default."""
    auth_ref = client_manager.auth_ref
    if parsed_args.all_projects:
        resolve_scope(client_manager, parsed_args)  # admin check
        return None
    if not parsed_args.project:
        refuse_lone_domain(parsed_args)
        return [Scope(auth_ref.project_id, auth_ref.project_name)]
    found = []
    for name in parsed_args.project:
        one = _find_project(client_manager, auth_ref, name,
                            parsed_args.project_domain)
        if one.project_id not in [s.project_id for s in found]:
            found.append(one)
    return found


def resolve_projects(client_manager, parsed_args):
    """Project ids for a repeatable --project; None for --all-projects."""
    scopes = resolve_scopes(client_manager, parsed_args)
    return None if scopes is None else [s.project_id for s in scopes]


def describe(scopes):
    """'all projects', 'project NAME (ID)' or 'projects A (ID), B (ID)'."""
    if scopes is None:
        return 'all projects'
    if len(scopes) == 1:
        return scopes[0].describe()
    return 'projects %s' % ', '.join('%s (%s)' % (s.project_name,
                                                  s.project_id)
                                     for s in scopes)


def project_ids(scopes):
    """What resolve_scopes gave, as project IDs (None: every project)."""
    return None if scopes is None else tuple(s.project_id for s in scopes)


def project_filter(scopes):
    """What resolve_scopes gave, as the audit's project filter: None
    (every project), one project ID, or a list of them."""
    if scopes is None:
        return None
    ids = [s.project_id for s in scopes]
    return ids[0] if len(ids) == 1 else ids
