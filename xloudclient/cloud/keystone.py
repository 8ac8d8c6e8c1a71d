"""Keystone, where decisions are endorsed: the tags of projects.

Only an admin (or, from Keystone 26, a manager of the project's domain)
may write a project's tags; its members may read them. Requests go
through openstacksdk's identity proxy with the same timeout as Neutron's,
and fail as neutron's helpers do (NeutronError: one line).
"""

import urllib.parse

from openstack import exceptions as sdk_exc

from xloudclient import errors
from xloudclient.cloud import neutron


def _tag_path(project_id, tag):
    return '/projects/%s/tags/%s' % (project_id,
                                     urllib.parse.quote(tag, safe=''))


def projects(client, project_ids=None):
    """{project ID: {'name': ..., 'tags': [...]}}: every project (one
    list, following Keystone's next links) when project_ids is None, else
    each of those projects (one GET each)."""
    found = {}
    if project_ids is None:
        path, params = '/projects', None
        while path:
            body = neutron.json_of(neutron.check_response(
                client.get(path, params=params), 'Keystone: listing '
                'projects'), 'Keystone: listing projects')
            page = body.get('projects') if isinstance(body, dict) else None
            if not isinstance(page, list):
                raise neutron.NeutronError(
                    502, 'Keystone: listing projects: the response has no '
                    'projects list')
            for project in page:
                found[project['id']] = _entry(project)
            path, params = _next(body), None
        return found
    for pid in project_ids:
        what = 'Keystone: reading project %s' % pid
        body = neutron.json_of(neutron.check_response(
            client.get('/projects/%s' % pid), what), what)
        project = body.get('project') if isinstance(body, dict) else None
        if not isinstance(project, dict):
            raise neutron.NeutronError(502, '%s: the response has no '
                                       'project' % what)
        found[pid] = dict(_entry(project), tags=tags(client, pid))
    return found


def tags(client, project_id):
    """A project's tags as its database holds them now.

    Keystone caches a project read by ID (GET /projects/<id>, memoised in
    each worker or in memcached) and a read racing a tag change can leave
    the cache stale until it expires: a removed endorsement would still
    show, a new one not. Its tag list (GET /projects/<id>/tags) is read
    from the database, and so is listing projects."""
    what = 'Keystone: reading the tags of project %s' % project_id
    body = neutron.json_of(neutron.check_response(
        client.get('/projects/%s/tags' % project_id), what), what)
    found = body.get('tags') if isinstance(body, dict) else None
    if not isinstance(found, list):
        raise neutron.NeutronError(502, '%s: the response has no tags'
                                   % what)
    return [t for t in found if isinstance(t, str)]


def _entry(project):
    tags = project.get('tags')
    return {'name': project.get('name') or '',
            'tags': [t for t in tags if isinstance(t, str)]
            if isinstance(tags, list) else []}


def _next(body):
    """Keystone's next page (an absolute URL), or None: Keystone pages
    its lists only where list_limit is set."""
    links = body.get('links')
    return links.get('next') or None if isinstance(links, dict) else None


def add_tag(client, project_id, tag):
    """Add one tag to a project (atomic; a tag already there stays).

    Keystone answers the add of a tag the project holds already (another
    writer's, or ours whose answer was lost) with a 400 (its list would
    hold the tag twice; seen on MariaDB under concurrent writers). What
    tells is the project's state, not the words: after a 400 the tags are
    read, and a tag that is there is added; one that is not is written
    once more (another writer may have rewritten the list from an older
    read), and a second 400 is an error. The caller reads the project
    back (decisions._settle_tag does, and writes again)."""
    for _ in range(2):
        resp = client.put(_tag_path(project_id, tag))
        if resp.status_code != 400:
            break
        if tag in tags(client, project_id):
            return
    neutron.check_response(resp, 'Keystone: tagging project %s' % project_id,
                           ok=(200, 201, 204))


def remove_tag(client, project_id, tag):
    """Remove one tag from a project; one already gone is not an error."""
    neutron.check_response(
        client.delete(_tag_path(project_id, tag)),
        'Keystone: untagging project %s' % project_id, ok=(200, 204, 404))


# Looking projects up by name or ID, through openstacksdk (it resolves a
# name within a domain and tells an ambiguous name apart): the callers
# word each failure for their own options.

class LookupFailed(errors.Explained):
    """A project or domain lookup failed; .subject is what was looked up."""

    def __init__(self, subject, text):
        super().__init__(text)
        self.subject = subject


class DomainNotFound(LookupFailed):
    """No such domain, or one the token may not look up."""


class ProjectNotFound(LookupFailed):
    pass


class ProjectForbidden(LookupFailed):
    """The token may not look projects up (not an admin)."""


class ProjectAmbiguous(LookupFailed):
    """More than one project has that name."""


def _forbidden(sdk_exc, error):
    """A 403 from Keystone, in every supported openstacksdk (0.101 has
    no ForbiddenException: only the status tells)."""
    forbidden = getattr(sdk_exc, 'ForbiddenException', None)
    return ((forbidden is not None and isinstance(error, forbidden)) or
            getattr(error, 'status_code', None) == 403)


def find_project(client_manager, name_or_id, domain=None):
    """(ID, name) of one project, by name or ID (a name within domain, a
    domain name or ID); a LookupFailed naming why not. Other failures
    (5xx, transport) propagate."""
    identity = client_manager.sdk_connection.identity
    query = {}
    if domain:
        try:
            query['domain_id'] = identity.find_domain(
                domain, ignore_missing=False).id
        except sdk_exc.HttpException as e:
            if not (_forbidden(sdk_exc, e) or
                    isinstance(e, sdk_exc.ResourceNotFound)):
                raise
            raise DomainNotFound(domain, 'no domain %r' % domain)
    try:
        project = identity.find_project(name_or_id, ignore_missing=False,
                                        **query)
    except sdk_exc.ResourceNotFound:
        raise ProjectNotFound(name_or_id, 'no project %r' % name_or_id)
    except sdk_exc.HttpException as e:
        if not _forbidden(sdk_exc, e):
            raise
        raise ProjectForbidden(name_or_id, 'not allowed to look up '
                               'project %r' % name_or_id)
    except sdk_exc.DuplicateResource:
        raise ProjectAmbiguous(name_or_id, 'more than one project is '
                               'named %r' % name_or_id)
    return project.id, project.name


def project_names(identity):
    """{project ID: name} of every project the token may list (an
    admin's: all of them), through openstacksdk's identity proxy."""
    return {p.id: p.name for p in identity.projects()}
