"""Reviewed decisions, stored as one Neutron tag each: the documented
port-security exception, and an accepted finding of any other check.

A record is a single Neutron tag on the port, so it is written and removed
atomically (Neutron tags are added and deleted one at a time)::

    xloud-psx:v1 review=2027-02-24 granted=20261126T231005Z-3f2a by=admin
        sg=<32 hex>,<32 hex> reason=<text>

(one line; shown folded). Fields are space separated ``key=value`` in that
order; ``reason`` comes last and runs to the end of the tag. ``granted`` is
the UTC time of the grant plus a random suffix, so every record string is
unique and records have one total order (granted, then suffix). ``sg``
lists the security groups the port had (UUIDs without dashes; empty when
unknown). ``by`` and ``reason`` are percent-encoded for ``%``, ``/``,
anything outside printable ASCII and, in ``by``, the space, because
Neutron's single-tag API takes the tag in the URL path. A tag is at most
255 characters.

A record is written twice: first *pending* (prefix ``xloud-psx:p1``),
before port security is turned off, then *confirmed* (``xloud-psx:v1``)
by the run that turned it off. Only a confirmed record documents a port
whose port security is off; a pending one is what a run in progress, or
one that was interrupted, left behind.

An accepted finding (``openstack network harden accept``) is the same kind
of record for another check, on the resource the finding names (a
security group rule's decision on its group, since Neutron has no tags on
rules)::

    xloud-acc:v1 check=sg-ingress-ssh-from-world item=<32 hex>
        review=2027-02-24 granted=20261126T231005Z-3f2a by=admin
        reason=<text>

``item`` tells apart several findings of one check on one resource: the
rule (its ID without dashes) or the finding's detail key (an address
pair's prefix), percent-encoded like ``by``; empty for the resource itself.
A port-security exception is the decision for the check
``port-security-disabled`` (with the groups the port had); both kinds are
read by one parser and have one order (granted, then suffix).

A record is written on a resource its project controls, so by itself it
proves nothing: the project's members can write, copy and edit such tags
too. A record counts (hides a finding, documents an exception) only when
it is *endorsed*: a Keystone tag on the resource's project, which only
an admin (or a manager of the project's domain) may write::

    xloud-ok:v2 <32 hex> <16 hex> uid=<approver's user ID> by=<name>

The first hex is the first 128 bits of SHA-256 over the holder's type, its
ID and the record's exact text (see digest()), so an endorsement covers one
record on one resource: a copy on another resource, an edited field or a
record put back after its endorsement was removed matches nothing. The
second is the *substance* of the finding the approver saw (substance():
64 bits of SHA-256 over what the verdict depends on, the finding's basis,
such as the port behind a floating IP and the rules that expose it): when
that changes, the endorsement no longer covers the finding. An endorsement
of an earlier release (``xloud-ok:v1 <32 hex> by=<approver>``) names the
empty substance: it still covers the findings whose verdict depends on
nothing but their resource and item. A
record is also read back under the rules it was written by (its reason
and author plain text, its review date at most a year after its grant);
one that breaks them is malformed. See doc/source/trust.rst.
"""

import collections
import dataclasses
import datetime
import hashlib
import json
import re
import secrets
import unicodedata
import urllib.parse

from xloudclient import errors

FAMILY = 'xloud-psx:'
PREFIX = FAMILY + 'v1 '
PENDING_PREFIX = FAMILY + 'p1 '
DECISION_FAMILY = 'xloud-acc:'
DECISION_PREFIX = DECISION_FAMILY + 'v1 '
PORT_SECURITY_CHECK = 'port-security-disabled'
ENDORSEMENT_FAMILY = 'xloud-ok:'
ENDORSEMENT_PREFIX = ENDORSEMENT_FAMILY + 'v2 '
MAX_TAG_LEN = 255
MAX_REVIEW_DAYS = 366      # a review date at most a year after the grant
_SAFE = ''.join(chr(c) for c in range(0x20, 0x7f) if chr(c) not in '%/')
_SAFE_BY = _SAFE.replace(' ', '')
# Control, format (bidi overrides, zero-width), line and paragraph
# separators, unassigned and private-use characters: never in a reason.
_BAD_CATEGORIES = {'Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp'}
_PATTERN = re.compile(
    r'^xloud-psx:(?P<kind>v1|p1) '
    r'review=(?P<review>\d{4}-\d{2}-\d{2}) '
    r'granted=(?P<granted>\d{8}T\d{6}Z)-(?P<nonce>[0-9a-f]{4}) '
    r'by=(?P<by>\S*) sg=(?P<sg>[0-9a-fA-F,-]*) reason=(?P<reason>.+)$')
_DECISION = re.compile(
    r'^xloud-acc:v1 check=(?P<check>[a-z0-9][a-z0-9-]{0,62}) '
    r'item=(?P<item>\S*) '
    r'review=(?P<review>\d{4}-\d{2}-\d{2}) '
    r'granted=(?P<granted>\d{8}T\d{6}Z)-(?P<nonce>[0-9a-f]{4}) '
    r'by=(?P<by>\S*) reason=(?P<reason>.+)$')
_ENDORSEMENT = re.compile(
    r'^xloud-ok:(?:v1 (?P<digest1>[0-9a-f]{32})|v2 (?P<digest>[0-9a-f]{32}) '
    r'(?P<substance>[0-9a-f]{16}) uid=(?P<uid>[^\s/,]*)) '
    r'by=(?P<by>[^\s/,]*)$')
# Keystone's tags take neither "/" nor ",".
_SAFE_KEYSTONE = _SAFE_BY.replace(',', '')
_TIME = '%Y%m%dT%H%M%SZ'


class RecordError(errors.Explained, ValueError):
    """The record cannot be stored (too long, bad text)."""


def _encode(text, safe=_SAFE):
    return urllib.parse.quote(text, safe=safe)


def _compact(uuid):
    plain = uuid.replace('-', '')
    return plain if re.fullmatch(r'[0-9a-fA-F]{32}', plain) else uuid


def _expand(hex32):
    if re.fullmatch(r'[0-9a-fA-F]{32}', hex32):
        h = hex32.lower()
        return '-'.join((h[:8], h[8:12], h[12:16], h[16:20], h[20:]))
    return hex32


@dataclasses.dataclass(frozen=True)
class Record:
    review_by: datetime.date
    granted: datetime.datetime
    granted_by: str
    security_groups: tuple
    reason: str
    nonce: str = ''
    tag: str = ''
    pending: bool = False
    check: str = PORT_SECURITY_CHECK
    item: str = ''

    @property
    def order(self):
        """The total order of records: later grants sort higher."""
        return (self.granted, self.nonce, self.tag)

    def confirmed_tag(self):
        return PREFIX + self.tag[len(PENDING_PREFIX):] if self.pending \
            else self.tag

    def days_left(self, today):
        """Days until review (negative: overdue by that many days)."""
        return (self.review_by - today).days

    def is_overdue(self, today):
        return self.review_by < today


@dataclasses.dataclass(frozen=True)
class Terms:
    """What a decision or an exception says when it is written: why,
    until when, whether it replaces one that stands (renew), and whether
    this is a dry run."""

    reason: str
    review_by: datetime.date
    renew: bool = False
    dry_run: bool = False


def validate_reason(reason, what='the reason'):
    """The reason, stripped; RecordError when it cannot be a record."""
    text = (reason or '').strip()
    if not text:
        raise RecordError('%s must not be empty' % what)
    _plain(text, what)
    return text


def _plain(text, what):
    bad = [c for c in text if unicodedata.category(c) in _BAD_CATEGORIES]
    if bad:
        raise RecordError('%s must be one line of plain text (it '
                          'contains U+%04X, a control, format or line '
                          'separator character)' % (what, ord(bad[0])))


def new_nonce():
    return secrets.token_hex(2)


def _stamp(review_by, granted, nonce, granted_by):
    return 'review=%s granted=%s-%s by=%s' % (
        review_by.isoformat(),
        granted.astimezone(datetime.timezone.utc).strftime(_TIME), nonce,
        _encode(granted_by or '', _SAFE_BY))


def _fit(head, reason, beside):
    body = _encode(reason)
    if len(head) + len(body) > MAX_TAG_LEN:
        room = MAX_TAG_LEN - len(head)
        raise RecordError(
            'the reason is too long to store: %d characters as stored, at '
            'most %d fit in a Neutron tag beside %s'
            % (len(body), max(room, 0), beside))
    return head + body


def make_tag(review_by, granted, granted_by, security_groups, reason,
             nonce=None, pending=False):
    """The tag string for a new port-security record; RecordError if it
    does not fit."""
    reason = validate_reason(reason)
    head = '%s%s sg=%s reason=' % (
        PENDING_PREFIX if pending else PREFIX,
        _stamp(review_by, granted, nonce or new_nonce(), granted_by),
        ','.join(_compact(sg) for sg in security_groups))
    return _fit(head, reason, 'the %d security group(s) recorded'
                % len(security_groups))


def make_decision_tag(check, item, review_by, granted, granted_by, reason,
                      nonce=None):
    """The tag string for an accepted finding; RecordError if it does not
    fit."""
    reason = validate_reason(reason)
    if not re.fullmatch(r'[a-z0-9][a-z0-9-]{0,62}', check or ''):
        raise RecordError('not a check id: %r' % (check or '')[:70])
    head = '%scheck=%s item=%s %s reason=' % (
        DECISION_PREFIX, check, _encode(_compact(item or ''), _SAFE_BY),
        _stamp(review_by, granted, nonce or new_nonce(), granted_by))
    return _fit(head, reason, 'the check and the item')


def _read(pattern, tag, what):
    """(match, review date, grant time) of a tag claiming to be a record
    of kind what; RecordError when it is malformed or breaks the rules a
    record is written by."""
    match = pattern.match(tag)
    if not match:
        raise RecordError('malformed %s record tag: %r' % (what, tag))
    try:
        review = datetime.date.fromisoformat(match['review'])
        granted = datetime.datetime.strptime(
            match['granted'], _TIME).replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise RecordError('malformed date in %s record: %r' % (what, tag))
    if (review - granted.date()).days > MAX_REVIEW_DAYS:
        raise RecordError('%s record reviewed more than a year after its '
                          'grant: %r' % (what, tag))
    validate_reason(urllib.parse.unquote(match['reason']))
    _plain(urllib.parse.unquote(match['by']), 'the author')
    return match, review, granted


def parse_tag(tag):
    """The Record in tag, None if tag is not a record, RecordError if it
    claims to be one but is malformed."""
    if not is_record_tag(tag):
        return None
    match, review, granted = _read(_PATTERN, tag, 'exception')
    sgs = tuple(_expand(s) for s in match['sg'].split(',') if s)
    return Record(review, granted, urllib.parse.unquote(match['by']), sgs,
                  urllib.parse.unquote(match['reason']), match['nonce'], tag,
                  match['kind'] == 'p1')


def parse_decision(tag):
    """The Record of an accepted finding in tag (a port-security record
    as the decision of its check), None if tag is neither, RecordError if
    it claims to be one but is malformed."""
    if is_record_tag(tag):
        return parse_tag(tag)
    if not is_decision_tag(tag):
        return None
    match, review, granted = _read(_DECISION, tag, 'decision')
    return Record(review, granted, urllib.parse.unquote(match['by']), (),
                  urllib.parse.unquote(match['reason']), match['nonce'], tag,
                  False, match['check'],
                  _expand(urllib.parse.unquote(match['item'])))


def _collect(tags, parse, keep):
    """(records parse() finds among tags for which keep(record), newest
    first; the tags parse() refuses as malformed)."""
    found, malformed = [], []
    for tag in tags or ():
        try:
            record = parse(tag)
        except RecordError:
            malformed.append(tag)
            continue
        if record is not None and keep(record):
            found.append(record)
    found.sort(key=lambda r: r.order, reverse=True)
    return found, malformed


def decisions_in(tags):
    """(decisions newest first, malformed decision tags) among tags:
    accepted findings and confirmed port-security records alike."""
    return _collect(tags, parse_decision, lambda r: not r.pending)


def is_decision_tag(tag):
    return tag.startswith(DECISION_FAMILY)


def records_in(tags):
    """(valid records newest first, malformed record tags) among tags.

    Pending and confirmed records alike; see Record.pending.
    """
    return _collect(tags, parse_tag, lambda r: True)


def documenting(tags):
    """The newest confirmed record among tags, or None."""
    return next((r for r in records_in(tags)[0] if not r.pending), None)


def is_record_tag(tag):
    return tag.startswith(FAMILY)


def digest(holder_type, holder_id, tag):
    """What an endorsement names: 32 hex characters (128 bits of SHA-256)
    over the holder's inventory type, its ID and the record's text."""
    text = json.dumps(['xloud-ok:v1', holder_type, holder_id, tag])
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]


def request_id(holder_type, holder_id, tag):
    """A record's ID for `network harden approve --request`: 16 hex
    characters of its digest (what the admin reviewed is what they
    approve: another record, even of the same check and item, has another
    ID)."""
    return digest(holder_type, holder_id, tag)[:16]


def substance(basis):
    """What an endorsement binds a decision to: 16 hex characters (64 bits
    of SHA-256) over a finding's basis (a tuple of strings and tuples)."""
    text = json.dumps(['xloud-basis:v1', list(basis or ())])
    return hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]


EMPTY_SUBSTANCE = substance(())
MAX_USER_ID = 64


Approver = collections.namedtuple('Approver', 'name user_id')
Approver.__doc__ = """Who approves: the token's user name and ID."""


def endorsement_tag(holder_type, holder_id, tag, approver, basis=()):
    """The Keystone tag that makes the record count for the finding whose
    basis is given (at most 255 characters: a long approver's name is
    cut). approver: an Approver, or a name."""
    if not isinstance(approver, Approver):
        approver = Approver(approver or '', '')
    head = '%s%s %s uid=%s by=' % (
        ENDORSEMENT_PREFIX, digest(holder_type, holder_id, tag),
        substance(basis),
        _encode((approver.user_id or '')[:MAX_USER_ID], _SAFE_KEYSTONE))
    name = approver.name or ''
    by = _encode(name, _SAFE_KEYSTONE)
    while len(head) + len(by) > MAX_TAG_LEN:
        name = name[:-1]
        by = _encode(name, _SAFE_KEYSTONE)
    return head + by


Endorsement = collections.namedtuple('Endorsement',
                                     'by tag substance user_id',
                                     defaults=(EMPTY_SUBSTANCE, ''))
Endorsement.__doc__ = """Who endorsed a record (name, Keystone user ID as
the writer gave them), the Keystone tag, and the substance it binds."""


def parse_endorsement(tag):
    """(digest, Endorsement) of an endorsement tag, or None."""
    match = _ENDORSEMENT.match(tag)
    if match is None:
        return None
    if match['digest1']:
        return match['digest1'], Endorsement(
            urllib.parse.unquote(match['by']), tag, EMPTY_SUBSTANCE, '')
    return match['digest'], Endorsement(
        urllib.parse.unquote(match['by']), tag, match['substance'],
        urllib.parse.unquote(match['uid']))


def endorsements_in(project_tags):
    """{digest: (Endorsement, ...)} of the endorsements among a project's
    tags (a record can have several while it is approved again for a
    changed finding), each tuple in tag order."""
    found = {}
    for tag in sorted(t for t in project_tags or () if isinstance(t, str)):
        parsed = parse_endorsement(tag)
        if parsed is not None:
            found.setdefault(parsed[0], ())
            found[parsed[0]] += (parsed[1],)
    return found


def covering(endorsements, basis):
    """The endorsement among endorsements that binds basis, or None."""
    wanted = substance(basis)
    return next((e for e in endorsements or () if e.substance == wanted),
                None)
