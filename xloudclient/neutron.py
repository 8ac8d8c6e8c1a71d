"""Small helpers over openstacksdk's network proxy: raw, revision-guarded.

They speak Neutron's REST API directly (through the proxy, which carries
auth and the endpoint), so every error keeps Neutron's own message.
"""

import re
import urllib.parse

_UUID = re.compile(r'^[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}$')


class NeutronError(Exception):
    """Neutron refused or failed a request; str() is one line."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class RevisionConflict(NeutronError):
    """412: the resource changed since its revision was read."""


class NotFound(NeutronError):
    pass


def _message(resp):
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        err = body.get('NeutronError')
        if isinstance(err, dict) and err.get('message'):
            return err['message']
    return 'HTTP %d' % resp.status_code


def check_response(resp, what, ok=(200, 201, 204)):
    if resp.status_code in ok:
        return resp
    cls = {404: NotFound, 412: RevisionConflict}.get(resp.status_code,
                                                     NeutronError)
    raise cls(resp.status_code, '%s: %s' % (what, _message(resp)))


def is_uuid(value):
    return bool(_UUID.match(value or ''))


def get(client, collection, resource_id, what=None):
    singular = collection[:-1].replace('-', '_')
    resp = client.get('/%s/%s' % (collection, resource_id))
    what = what or '%s %s' % (singular.replace('_', ' '), resource_id)
    return check_response(resp, what).json()[singular]


def find(client, collection, name_or_id, project_id=None, label=None):
    """One resource by ID or unique name (names looked up in project_id)."""
    label = label or collection[:-1].replace('-', ' ')
    if is_uuid(name_or_id):
        try:
            return get(client, collection, name_or_id)
        except NotFound:
            pass
    params = {'name': name_or_id}
    if project_id:
        params['project_id'] = project_id
    key = collection.replace('-', '_')
    found = check_response(client.get('/' + collection, params=params),
                           'looking up %s %r' % (label, name_or_id)
                           ).json()[key]
    if not found:
        raise NotFound(404, 'no %s named or with ID %r%s' % (
            label, name_or_id, ' in project %s' % project_id
            if project_id else ''))
    if len(found) > 1:
        raise NeutronError(409, 'more than one %s is named %r; use its ID'
                           % (label, name_or_id))
    return found[0]


def update(client, collection, resource_id, revision, attrs):
    """PUT attrs, only if the resource is still at revision (If-Match)."""
    singular = collection[:-1].replace('-', '_')
    resp = client.put('/%s/%s' % (collection, resource_id),
                      json={singular: attrs},
                      headers={'If-Match': 'revision_number=%d' % revision})
    return check_response(resp, 'updating %s %s' % (
        singular.replace('_', ' '), resource_id)).json()[singular]


def _tag_path(collection, resource_id, tag):
    return '/%s/%s/tags/%s' % (collection, resource_id,
                               urllib.parse.quote(tag, safe=''))


def add_tag(client, collection, resource_id, tag):
    """Add one tag (atomic, leaves the other tags alone)."""
    check_response(client.put(_tag_path(collection, resource_id, tag)),
                   'tagging %s %s' % (collection[:-1], resource_id))


def remove_tag(client, collection, resource_id, tag):
    """Remove one tag; a tag already gone is not an error."""
    check_response(client.delete(_tag_path(collection, resource_id, tag)),
                   'untagging %s %s' % (collection[:-1], resource_id),
                   ok=(200, 204, 404))


def list_(client, collection, params, what):
    """One GET of a collection (no pagination: for small, filtered sets)."""
    key = collection.replace('-', '_')
    return check_response(client.get('/' + collection, params=params),
                          what).json()[key]


def create(client, collection, body, what):
    singular = collection[:-1].replace('-', '_')
    resp = client.post('/' + collection, json={singular: body})
    return check_response(resp, what).json()[singular]


def delete(client, collection, resource_id):
    """Delete a resource; one already gone is not an error."""
    check_response(client.delete('/%s/%s' % (collection, resource_id)),
                   'deleting %s %s' % (collection[:-1], resource_id),
                   ok=(204, 404))
