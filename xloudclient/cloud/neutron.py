"""The one way xloudclient talks to Neutron: raw REST through openstacksdk.

Requests go through the SDK's network proxy (it carries auth, the endpoint
and the client's timeout), but bodies are plain dicts, not SDK resources:
openstacksdk does not quote tag paths (a record holding "/" or "?" would
corrupt the URL), its resources cannot send If-Match on every call we
need, and building an SDK object costs about 0.7 ms per port, too much for
bulk lists. Every error becomes one line: Neutron's own message (bounded),
or for a transport failure the endpoint and the reason, never the query.
"""

import collections
import operator
import re
import urllib.parse

from xloudclient.cloud import resources
from xloudclient import errors

MAX_MESSAGE = 200           # characters of Neutron's text we echo back
PAGE_SIZE = 1000
_URL = re.compile(r'(https?://(?:\[[0-9a-fA-F:.]+\]|[^/\s?:\[]+)'
                  r'(?::\d+)?)[^\s:]*')
_ERRNO = re.compile(r'\[Errno -?\d+\] ([^\'")]+)')

_UUID = re.compile(r'^[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}$')


DEFAULT_TIMEOUT = 60.0


def api_timeout(environ):
    """Seconds from OS_API_TIMEOUT when it is a sane number, else 60."""
    try:
        value = float(environ.get('OS_API_TIMEOUT') or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value <= 3600 else DEFAULT_TIMEOUT


class Timed:
    """The network proxy with a timeout on every request (unless given)."""

    def __init__(self, proxy, timeout):
        self._proxy, self.timeout = proxy, timeout

    def __getattr__(self, name):
        return getattr(self._proxy, name)

    def _call(self, method, url, **kw):
        if kw.get('timeout') is None:
            kw['timeout'] = self.timeout
        return getattr(self._proxy, method)(url, **kw)

    def get(self, url, **kw):
        return self._call('get', url, **kw)

    def put(self, url, **kw):
        return self._call('put', url, **kw)

    def post(self, url, **kw):
        return self._call('post', url, **kw)

    def delete(self, url, **kw):
        return self._call('delete', url, **kw)


class NeutronError(errors.Explained):
    """Neutron refused or failed a request; str() is one line: what failed
    and why; .reason is the why alone."""

    def __init__(self, status, message, reason=None):
        super().__init__(message)
        self.status = status
        self.reason = reason or message


class ListingError(errors.Explained):
    """A resource type could not be read completely (the audit's
    InventoryError)."""

    def __init__(self, resource_type, reason):
        super().__init__('could not read %s: %s' % (resource_type, reason))
        self.resource_type = resource_type
        self.reason = reason


class RevisionConflict(NeutronError):
    """412: the resource changed since its revision was read."""


class NotFound(NeutronError):
    pass


def bounded(text, limit=MAX_MESSAGE):
    """text on one line, at most limit characters."""
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def message(resp):
    """Neutron's error message in a response (bounded), or 'HTTP <n>'."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        err = body.get('NeutronError') or body.get('error')
        if isinstance(err, dict) and isinstance(err.get('message'), str) \
                and err['message'].strip():
            return bounded(err['message'])
    return 'HTTP %d' % resp.status_code


def describe(error, service='Neutron'):
    """One line for any exception a request raised."""
    if isinstance(error, errors.Explained):
        return bounded(error)
    text = ' '.join(str(error).split())
    url = _URL.search(text)
    if url is None or 'cannot reach ' in text:   # none, or described
        if url is not None:
            return bounded(text)
        return bounded('%s: %s' % (type(error).__name__, text)
                       if text else type(error).__name__)
    errno = _ERRNO.search(text)
    if errno:
        reason = errno.group(1).strip().lower()
    elif 'timed out' in text.lower() or 'timeout' in \
            type(error).__name__.lower():
        reason = 'timed out'
    elif 'reset' in text.lower():
        reason = 'connection reset'
    else:
        reason = type(error).__name__
    return bounded('cannot reach %s%s: %s' % (
        service + ' at ' if service else '', url.group(1), reason))


MAX_ERRORS = 3     # transient errors one step absorbs before it gives up


class ErrorBudget:
    """The transient errors (5xx, resets, timeouts, bad bodies) one step
    absorbs, each retried from a fresh read, before it gives up. Every
    command that changes the cloud counts its errors with one of these."""

    def __init__(self, limit=MAX_ERRORS):
        self.limit, self.errors = limit, []

    def spent(self, error):
        """Count error; True when retrying cannot help: a refusal, or the
        budget is used up."""
        if is_refusal(error):
            return True
        self.errors.append(error)
        return len(self.errors) >= self.limit

    def last(self):
        """'; last error: ...' once an error was absorbed, else ''."""
        return ('; last error: %s' % describe(self.errors[-1])
                if self.errors else '')


def retried(fn, *args, budget=None, passthrough=()):
    """fn(*args), which must be idempotent, again after each transient
    error until it succeeds. A refusal, an exception of a passthrough
    type, or the error that spends the budget (an ErrorBudget; a fresh one
    if not given) is raised."""
    budget = budget or ErrorBudget()
    while True:
        try:
            return fn(*args)
        except passthrough:
            raise
        except Exception as e:
            if budget.spent(e):
                raise


def is_refusal(error):
    """A Neutron answer that retrying will not change (4xx, but not 408,
    409, 412 or 429)."""
    status = getattr(error, 'status', None)
    return isinstance(status, int) and 400 <= status < 500 and \
        status not in (408, 409, 412, 429)


def check_response(resp, what, ok=(200, 201, 204)):
    if resp.status_code in ok:
        return resp
    cls = {404: NotFound, 412: RevisionConflict}.get(resp.status_code,
                                                     NeutronError)
    text = message(resp)
    status = 'HTTP %d' % resp.status_code
    raise cls(resp.status_code, '%s: %s' % (what, text),
              text if text == status else '%s: %s' % (status, text))


def json_of(resp, what):
    """The response body; NeutronError(502) when it is not JSON."""
    try:
        return resp.json()
    except ValueError:
        raise NeutronError(502, '%s: the response was not JSON' % what,
                           'the response was not JSON')


def _item(resp, what, key):
    """body[key] of a successful response; NeutronError(502) when the body
    is not JSON or lacks it."""
    body = json_of(check_response(resp, what), what)
    if not isinstance(body, dict) or not isinstance(body.get(key),
                                                    (dict, list)):
        raise NeutronError(502, '%s: the response has no %s' % (what, key))
    return body[key]


def is_uuid(value):
    return bool(_UUID.match(value or ''))


def get(client, collection, resource_id, what=None):
    kind = resources.at(collection)
    resp = client.get('/%s/%s' % (collection, resource_id))
    what = what or '%s %s' % (kind.spelled, resource_id)
    return _item(resp, what, kind.singular)


def find(client, collection, name_or_id, project_id=None, label=None):
    """One resource by ID or unique name (names looked up in project_id)."""
    label = label or resources.at(collection).spelled
    if is_uuid(name_or_id):
        try:
            return get(client, collection, name_or_id)
        except NotFound:
            pass
    params = {'name': name_or_id}
    if project_id:
        params['project_id'] = project_id
    found = list_(client, collection, params,
                  'looking up %s %r' % (label, bounded(name_or_id, 80)))
    if not found:
        raise NotFound(404, 'no %s named or with ID %r%s' % (
            label, bounded(name_or_id, 80), ' in project %s' % project_id
            if project_id else ''))
    if len(found) > 1:
        raise NeutronError(409, 'more than one %s is named %r; use its ID'
                           % (label, bounded(name_or_id, 80)))
    return found[0]


def update(client, collection, resource_id, revision, attrs):
    """PUT attrs, only if the resource is still at revision (If-Match)."""
    kind = resources.at(collection)
    resp = client.put('/%s/%s' % (collection, resource_id),
                      json={kind.singular: attrs},
                      headers={'If-Match': 'revision_number=%d' % revision})
    return _item(resp, 'updating %s %s' % (kind.spelled, resource_id),
                 kind.singular)


def _tag_path(collection, resource_id, tag):
    return '/%s/%s/tags/%s' % (collection, resource_id,
                               urllib.parse.quote(tag, safe=''))


def add_tag(client, collection, resource_id, tag):
    """Add one tag (atomic, leaves the other tags alone)."""
    check_response(client.put(_tag_path(collection, resource_id, tag)),
                   'tagging %s %s' % (resources.at(collection).spelled,
                                      resource_id))


def remove_tag(client, collection, resource_id, tag):
    """Remove one tag; a tag already gone is not an error."""
    check_response(client.delete(_tag_path(collection, resource_id, tag)),
                   'untagging %s %s' % (resources.at(collection).spelled,
                                        resource_id),
                   ok=(200, 204, 404))


def set_tags(client, collection, resource_id, tags):
    """Replace all of a resource's tags (one request, idempotent)."""
    check_response(client.put('/%s/%s/tags' % (collection, resource_id),
                              json={'tags': list(tags)}),
                   'tagging %s %s' % (resources.at(collection).spelled,
                                      resource_id))


def next_marker(body, key):
    """The marker of the next page in a Neutron list body, or None."""
    for link in body.get(key + '_links') or ():
        if isinstance(link, dict) and link.get('rel') == 'next':
            query = urllib.parse.urlparse(link.get('href', '')).query
            marker = urllib.parse.parse_qs(query).get('marker')
            if marker:
                return marker[-1]
    return None


# How many times one listing may find its marker gone before it gives up
# (each time costs a request; a cloud churning faster than this is read
# again by rerunning the audit).
MARKER_RECOVERIES = 50
# ... and how many times it may read again from the start (each costs as
# many requests as the listing so far).
START_OVERS = 3


class Reading(collections.namedtuple(
        'Reading', 'page_size timeout all_fields',
        defaults=(PAGE_SIZE, None, False))):
    """How a listing reads: items per page, seconds per request (None: the
    client's), and every field or only those the audit reads."""


WHOLE = Reading(all_fields=True)


def in_project(project_id):
    """The filter of one project's items ({} for None: every project)."""
    return {'project_id': project_id} if project_id else {}


def list_counted(client, collection, params, what, reading=Reading(),
                 key=None, index=None):
    """(every item of a filtered collection, requests made): the one
    paginator, following Neutron's next links. index, if given, an empty
    dict, becomes {id: item} of the items (as each page is read, while it
    is in the processor's cache) or, if some item is not a dict with an
    id, stays empty.

    Under churn: Neutron answers a page whose marker was deleted meanwhile
    with 404 (ports, networks), with an empty page (routers, floating
    IPs: an empty page after a marker is checked by reading the marker)
    or with the first page again (other types). Each way the listing goes
    on from the last item read that still exists (_Pages.back), and an
    item is never taken twice."""
    key = key or collection.replace('-', '_')
    pages = _Pages(dict(params or {}, limit=reading.page_size), what,
                   {} if index is None else index)
    extra = {'timeout': reading.timeout} if reading.timeout else {}
    while True:
        try:
            resp = check_response(
                client.get('/' + collection, params=pages.params, **extra),
                what)
        except NotFound as e:
            pages.requests += 1
            if pages.back():
                continue
            raise _missing_api(collection, what) or e
        body = json_of(resp, what)
        pages.requests += 1
        page = body.get(key) if isinstance(body, dict) else None
        if not isinstance(page, list):
            raise NeutronError(502, '%s: the response has no %s list'
                               % (what, key), 'the response has no %s list'
                               % key)
        if not pages.take(page):
            pages.back()
            continue
        if not page and 'marker' in pages.params and not _exists(
                client, collection, pages.params['marker'], what, extra):
            pages.back()        # an empty page for a vanished marker
            continue
        marker = next_marker(body, key)
        if not marker or not page:
            if not pages.indexed:
                pages.seen.clear()
            return pages.items, pages.requests
        pages.params['marker'] = marker


def _exists(client, collection, item_id, what, extra):
    """Whether the item still exists: routers and floating IPs answer a
    page after a vanished marker with an empty page, as if the listing
    were over."""
    try:
        check_response(client.get('/%s/%s' % (collection, item_id),
                                  params={'fields': 'id'}, **extra), what)
    except NotFound:
        return False
    return True


_ID = operator.itemgetter('id')


class _Pages:
    """One listing's items so far, and where its next page starts."""

    def __init__(self, params, what, seen):
        self.params, self.what = params, what
        self.items, self.requests = [], 0
        # {id: item} of the items taken; indexed: every one a dict with id
        self.seen, self.indexed = seen, True
        self._recoveries = self._starts = 0
        # Reading again from the start: pages of items read already are
        # expected until the first new one.
        self._again = False

    def take(self, page):
        """Add the page's items not read yet; False when a page read
        after a marker held none (Neutron started over: the marker is
        gone)."""
        try:
            # the common case, at C speed: every item a dict, none read
            ids = list(map(_ID, page))
            new = bool(page) and self.seen.keys().isdisjoint(ids)
        except (KeyError, TypeError):
            new = False             # item by item, as below
        if new:
            self.items.extend(page)
            self.seen.update(zip(ids, page))
            self._again = False
            return True
        fresh = [i for i in page if not isinstance(i, dict) or
                 i.get('id') is None or i.get('id') not in self.seen]
        self.items.extend(fresh)
        for item in fresh:
            if isinstance(item, dict):
                self.seen[item.get('id')] = item
            self.indexed = self.indexed and isinstance(item, dict) and \
                'id' in item
        self._again = self._again and not fresh
        return bool(fresh) or not page or self._again or \
            'marker' not in self.params

    def back(self):
        """Move the marker to the item read before it (or to the start
        when there is none); False when there was no marker to move;
        NeutronError after MARKER_RECOVERIES moves."""
        marker = self.params.get('marker')
        if marker is None:
            return False
        ids = [i.get('id') for i in self.items if isinstance(i, dict)]
        earlier = ids[:ids.index(marker)] if marker in ids else ids
        self._starts += not earlier
        if self._recoveries >= MARKER_RECOVERIES or \
                self._starts > START_OVERS:
            why = ('the items listed kept being deleted while they were '
                   'read (%d pages lost their marker); run it again'
                   % self._recoveries)
            raise NeutronError(409, '%s: %s' % (self.what, why), why)
        self._recoveries += 1
        if earlier:
            self.params['marker'] = earlier[-1]
        else:
            del self.params['marker']
            self._again = True
        return True


def _missing_api(collection, what):
    """The NotFound that names the extension behind a collection whose
    listing answered 404 (the collection itself is missing), or None."""
    ext = getattr(resources.known(collection), 'extension', '')
    if not ext:
        return None
    why = ('Neutron has no %s API here (HTTP 404): the cloud lacks the '
           'Neutron extension %s, or the network endpoint is wrong'
           % (collection, ext))
    return NotFound(404, '%s: %s' % (what, why), why)


def list_(client, collection, params, what, reading=Reading()):
    """Every item of a filtered collection (NeutronError if not all)."""
    return list_counted(client, collection, params, what, reading)[0]


def list_type(client, resource_type, filters=None, reading=Reading(),
              index=None):
    """Every item of one resource type (cloud/resources.py) matching the
    filters, only the fields the audit reads unless reading.all_fields:
    (items, requests made), or ListingError naming the type and why
    (index: as list_counted's)."""
    kind = resources.TYPES[resource_type]
    params = dict(filters or {})
    if not reading.all_fields:
        params['fields'] = list(kind.fields)
    try:
        return list_counted(client, kind.path, params, resource_type,
                            reading, index=index)
    except NeutronError as e:
        raise ListingError(resource_type, e.reason)
    except Exception as e:  # connection refused, timeout, auth failure...
        raise ListingError(resource_type, describe(e))


def list_quotas(client, defaults=False, reading=Reading()):
    """(items, requests): the quotas of the projects that have their own
    (one list, any number of projects), or the defaults (one item, read
    as the caller's project's: they are every project's); ListingError
    naming the type and why."""
    rtype = 'quota_defaults' if defaults else 'quotas'
    extra = {'timeout': reading.timeout} if reading.timeout else {}
    try:
        if defaults:
            path = '/quotas/%s/default' % urllib.parse.quote(
                client.get_project_id() or '', safe='')
        else:
            path = '/quotas'
        body = json_of(check_response(client.get(path, **extra), rtype),
                       rtype)
        found = body.get('quota' if defaults else 'quotas') if \
            isinstance(body, dict) else None
        if defaults and isinstance(found, dict):
            found = [found]
        if not isinstance(found, list) or not all(
                isinstance(i, dict) for i in found):
            raise NeutronError(502, '%s: the response has no %s' % (
                rtype, 'quota' if defaults else 'quotas list'),
                'the response has no quotas')
        return found, 1
    except NeutronError as e:
        raise ListingError(rtype, e.reason)
    except Exception as e:  # connection refused, timeout, auth failure...
        raise ListingError(rtype, describe(e))


def list_forwardings(client, fip_id, reading=Reading()):
    """(the port forwardings of one floating IP, requests made): its own
    list is the one that gives a range forwarding's ports."""
    try:
        return list_counted(client, 'floatingips/%s/port_forwardings'
                            % fip_id, {}, 'port forwardings of floating '
                            'IP %s' % fip_id, reading, key='port_forwardings')
    except NeutronError as e:
        raise ListingError('floatingips', e.reason)
    except Exception as e:  # connection refused, timeout, auth failure...
        raise ListingError('floatingips', describe(e))


IDS_PER_REQUEST = 100       # keeps a filtered list's URL short


def list_by_ids(client, resource_type, ids):
    """{id: item} of the given IDs of one type (a list per 100 IDs); an ID
    Neutron does not know is simply absent."""
    items, _ = list_where(client, resource_type, 'id', ids)
    return {i['id']: i for i in items}


def list_where(client, resource_type, key, values, reading=WHOLE):
    """(items, requests): every item of one type whose key is one of
    values (a list per 100 values; none for no values)."""
    values, found, requests = sorted(set(values)), [], 0
    for start in range(0, len(values), IDS_PER_REQUEST):
        items, made = list_type(
            client, resource_type,
            {key: values[start:start + IDS_PER_REQUEST]}, reading)
        found += items
        requests += made
    return found, requests


def extensions(client, timeout=None):
    """The aliases of the API extensions Neutron has loaded; ListingError
    if they cannot be read."""
    extra = {'timeout': timeout} if timeout else {}
    try:
        body = json_of(check_response(client.get('/extensions', **extra),
                                      'extensions'), 'extensions')
    except NeutronError as e:
        raise ListingError('extensions', e.reason)
    except Exception as e:
        raise ListingError('extensions', describe(e))
    if not isinstance(body, dict):
        raise ListingError('extensions', 'the response was not a JSON '
                           'object')
    return frozenset(e.get('alias') for e in body.get('extensions') or ()
                     if isinstance(e, dict))


def create(client, collection, body, what):
    singular = resources.at(collection).singular
    resp = client.post('/' + collection, json={singular: body})
    return _item(resp, what, singular)


def delete(client, collection, resource_id, what=None, revision=None):
    """Delete a resource (only at revision, If-Match, when given): True,
    or False when it was already gone."""
    headers = {'If-Match': 'revision_number=%d' % revision} \
        if revision is not None else None
    resp = check_response(
        client.delete('/%s/%s' % (collection, resource_id),
                      **({'headers': headers} if headers else {})),
        what or 'deleting %s %s' % (resources.at(collection).spelled,
                                    resource_id), ok=(204, 404))
    return resp.status_code != 404
