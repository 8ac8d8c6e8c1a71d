"""Disable and re-enable port security with a documented exception record.

Tags cannot be written under a revision guard (Neutron answers 500 to
If-Match on its tag API), so the record protocol is built so that every
interleaving of runs, and every interruption, leaves a port whose port
security is off documented by a confirmed record, or named as unconfirmed:

* disable: add a *pending* record tag; turn port security off with a
  revision-guarded update; only the run whose update turned it off (or a
  --renew, or a run documenting a port already off) adds the *confirmed*
  record, then removes its pending tag and confirmed records older than
  its own. A run that finds port security turned off by a concurrent
  disable steps back, removing only its own pending tag;
* enable: turn port security on (guarded), then remove the records seen
  before that update, except pending ones of runs still in progress: a
  pending record is removed only by its own run (or, once older than any
  run lasts, by anyone).

No run removes its own confirmed record unless it reads port security on
(a concurrent enable won); others' records are only removed in favour of
one's own while it is on the port and only if they were there before the
run turned port security off (or started), or by an enable after it
turned port security on. So whoever turns port security off
leaves a confirmed record that survives. Two renewals racing may both
stay; the newest documents. A pending record never documents anything: on
a port whose security is off it shows as "unconfirmed", on an enabled port
as "stale"; both are cleaned by the next enable or disable.
"""

import dataclasses
import datetime
import re

from xloudclient.audit import accepted
from xloudclient.audit import own_ports
from xloudclient.cloud import neutron
from xloudclient import inert_text
from xloudclient import records as rec
from xloudclient import harden

DEFAULT_REVIEW_DAYS = 90
MAX_REVIEW_DAYS = 366
MAX_ATTEMPTS = 12
MAX_ERRORS = neutron.MAX_ERRORS   # transient errors one run absorbs
PENDING_MAX_AGE = datetime.timedelta(minutes=10)
PORTS = 'ports'
_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')


@dataclasses.dataclass
class Outcome:
    port: dict
    changed: bool
    record: object = None            # the Record now on the port, if any
    removed_records: list = dataclasses.field(default_factory=list)
    security_groups_before: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)
    conflicts: int = 0               # revision conflicts retried


def find_port(client, name_or_id):
    """The port named so or with that ID (NotFound, or NeutronError if
    the name is not unique)."""
    return neutron.find(client, PORTS, name_or_id)


def review_date(today, review_by=None, review_in=None):
    """The review date from --review-by or --review-in (default 90 days)."""
    if review_by is not None:
        try:
            if not _DATE.match(review_by):
                raise ValueError(review_by)
            date = datetime.date.fromisoformat(review_by)
        except ValueError:
            raise harden.Refused(
                '--review-by must be a date as YYYY-MM-DD, not %r'
                % review_by[:40])
    else:
        days = DEFAULT_REVIEW_DAYS if review_in is None else review_in
        if not 0 <= days <= MAX_REVIEW_DAYS:
            raise harden.Refused(
                '--review-in must be a number of days from 0 to %d, not %d'
                % (MAX_REVIEW_DAYS, days) if days >= 0 else
                '--review-in must not be negative')
        date = today + datetime.timedelta(days=days)
    if date < today:
        raise harden.Refused(
            'the review date %s is in the past' % date.isoformat())
    if (date - today).days > MAX_REVIEW_DAYS:
        raise harden.Refused(
            'the review date %s is more than %d days away; exceptions are '
            'to be reviewed at least quarterly' % (date.isoformat(),
                                                   MAX_REVIEW_DAYS))
    return date


def _cmd(verb, *args):
    """`openstack port security <verb> <args>` as one quoted line."""
    return inert_text.command('openstack', 'port', 'security', verb, *args)


def _records(port):
    return rec.records_in(port.get('tags'))


def documenting_record(port):
    """The confirmed record documenting a port (newest), or None."""
    return rec.documenting(port.get('tags'))


def _abandoned(record, now):
    """A pending record too old to belong to a run still in progress."""
    return record.pending and now - record.granted > PENDING_MAX_AGE


def _require_port_security_attr(port):
    if 'port_security_enabled' not in port:
        raise harden.Refused(
            'port %s has no port_security_enabled attribute: the cloud '
            'lacks the port-security extension' % port['id'])


def _pairs_text(port):
    return ', '.join(
        p.get('ip_address', '?') + (' (%s)' % p['mac_address']
                                    if p.get('mac_address') else '')
        for p in port.get('allowed_address_pairs') or ())


def _groups_to_record(port):
    """The security groups to write into a new record."""
    if port['port_security_enabled']:
        return list(port.get('security_groups') or [])
    records = _records(port)[0]
    confirmed = [r for r in records if not r.pending]
    for record in confirmed + records:
        return list(record.security_groups)
    return []


def disable(ctx, port_id, terms, max_attempts=MAX_ATTEMPTS):
    """Disable port security on a port and record the exception (terms:
    records.Terms), granted by the run's user at the run's time."""
    client, now, renew = ctx.neutron, ctx.now, terms.renew
    reason = rec.validate_reason(terms.reason)
    port = _read(client, port_id)
    _require_port_security_attr(port)
    if port.get('allowed_address_pairs'):
        raise harden.Refused(
            'port %s has allowed address pairs (%s); Neutron refuses to '
            'disable port security while it has them: remove them first'
            % (port['id'], _pairs_text(port)))
    documented = (None if port['port_security_enabled']
                  else documenting_record(port))
    if documented and not renew:
        raise harden.Refused(_exists_message(port, documented))

    nonce = rec.new_nonce()     # with `now`, this run's identity

    def new_tag(sgs):
        return rec.make_tag(terms.review_by, now, ctx.user.name, sgs, reason,
                            nonce=nonce, pending=True)

    # Records have one order (granted, nonce); a new one must come after
    # every record already on the port, whatever the clock says.
    now = now.replace(microsecond=0)     # the record's resolution
    latest = max((r.granted for r in _records(port)[0]), default=now)
    if latest >= now:
        now = latest + datetime.timedelta(seconds=1)
    # Fails here, before any change, when the reason does not fit.
    planned = rec.parse_tag(new_tag(_groups_to_record(port)))
    outcome = Outcome(port, changed=not terms.dry_run, record=planned,
                      removed_records=[r for r in _records(port)[0]
                                       if not r.pending],
                      security_groups_before=list(
                          port.get('security_groups') or []))
    if not port['port_security_enabled'] and not planned.security_groups:
        outcome.notes.append(
            'port security was already disabled without a record; the '
            'security groups it had before are unknown')
    if terms.dry_run:
        return outcome
    run = _DisableRun(client, port_id, new_tag, renew, outcome)
    return run.go(max_attempts)


class _DisableRun:
    """One disable: the state it keeps between reads of the port.

    Every tag this run writes has its (granted, nonce): a write whose
    answer was lost is recognised on the next read.
    """

    def __init__(self, client, port_id, new_tag, renew, outcome):
        self.client, self.port_id = client, port_id
        self.new_tag, self.renew = new_tag, renew
        self.now = outcome.record.granted      # the run's grant time
        self.outcome = outcome
        self.key = (outcome.record.granted, outcome.record.nonce)
        self.confirming = None   # the confirmed tag we wrote, once written
        # Records that existed before this run changed anything, or before
        # its guarded update: the only others it may ever remove.
        self.before = {r.tag for r in _records(outcome.port)[0]}
        self.before.update(_records(outcome.port)[1])
        self.turned = False      # our guarded update turned it off
        self.uncertain = False   # an update whose fate we do not know
        # documenting a port that was already off without a record
        self.documenting = not outcome.port['port_security_enabled']

    def ours(self, record):
        return (record.granted, record.nonce) == self.key

    def go(self, max_attempts):
        errors = neutron.ErrorBudget()
        try:
            for _ in range(max_attempts):
                try:
                    port = neutron.get(self.client, PORTS, self.port_id)
                    if self.step(port):
                        return self.outcome
                except (harden.Refused, rec.RecordError):
                    raise
                except Exception as e:     # 5xx, reset, timeout, bad body
                    _absorb(errors, e, lambda e: 'port %s: %s' % (
                        self.port_id, neutron.describe(e)))
            raise harden.Refused(
                'gave up after %d attempts: port %s kept changing%s'
                % (max_attempts, self.port_id, errors.last()))
        except (harden.Refused, rec.RecordError) as e:
            left = self._clean_up()
            if left:
                raise harden.Refused('%s; %s' % (e, left))
            raise

    def step(self, port):
        """One move towards the goal, from a fresh read; True when done."""
        records = _records(port)[0]
        mine = [r for r in records if self.ours(r)]
        if self.confirming:
            return self._finish(port, records, mine)
        pending = [r for r in mine if r.pending]
        if port['port_security_enabled']:
            self.turned = self.uncertain = False
            return self._turn_off(port, pending)
        if not pending:
            # Our pending record was removed (a newer run or an old-age
            # cleanup): what is off now was not turned off by us.
            self.turned = self.uncertain = False
        if not (self.turned or self.uncertain or self.renew):
            refusal = self._refusal(port, records)
            if refusal:
                raise harden.Refused(refusal)
        if not pending:
            self._write_pending(port, mine)
            return False
        # Port security is off and it is ours to document: confirm.
        self.confirming = pending[0].confirmed_tag()
        neutron.add_tag(self.client, PORTS, self.port_id, self.confirming)
        return False

    def _refusal(self, port, records):
        """Why a run that did not turn port security off steps back."""
        others = [r for r in records if not self.ours(r)]
        other = next((r for r in others if not r.pending), None)
        if other:
            return (_exists_message(port, other) +
                    ' (granted by a concurrent change)')
        busy = [r for r in others if not _abandoned(r, self.now) and (
            not self.documenting or r.order < self.key)]
        if busy:
            return ('port %s had its port security disabled by a '
                    'concurrent change that is still recording its '
                    'exception; nothing was changed (if no other run is in '
                    'progress, give --renew)' % self.port_id)
        return None

    def _write_pending(self, port, mine):
        """Our pending record with the port's groups now; any other of
        ours goes."""
        fresh = self.new_tag(_groups_to_record(port))
        neutron.add_tag(self.client, PORTS, self.port_id, fresh)
        self._remove([r.tag for r in mine if r.tag != fresh])

    def _turn_off(self, port, pending):
        groups = sorted(port.get('security_groups') or [])
        if len(pending) != 1 or sorted(pending[0].security_groups) != groups:
            self._write_pending(port, pending)
            return False
        self.before.update(t for t in port.get('tags') or ()
                           if rec.is_record_tag(t))
        try:
            neutron.update(self.client, PORTS, self.port_id,
                           port['revision_number'],
                           {'port_security_enabled': False,
                            'security_groups': []})
            self.turned = True
        except neutron.RevisionConflict:
            self.outcome.conflicts += 1
        except Exception:
            self.uncertain = True       # did it land? the next read says
            raise
        return False

    def _finish(self, port, records, mine):
        if port['port_security_enabled']:
            # A concurrent enable won after we turned it off: our record
            # is stale, and its removal is ours to do.
            self._remove([r.tag for r in mine])
            self.confirming = None
            raise harden.Refused(
                'port %s had its port security enabled again by a '
                'concurrent change; no exception is recorded'
                % self.port_id)
        if self.confirming not in port.get('tags', ()):
            # Removed by an enable that ran after we turned it off; what
            # is off now is someone else's doing: start over.
            self.confirming = None
            self.turned = self.uncertain = False
            return False
        # Ours but the confirmed one; records that were there before we
        # turned it off (or before we started); abandoned ones. Never one
        # that appeared since: it may be the only one to survive.
        drop = [r for r in records if r.tag != self.confirming and (
            self.ours(r) or r.tag in self.before
            or _abandoned(r, self.now))]
        self._remove([r.tag for r in drop] +
                     [t for t in _records(port)[1] if t in self.before])
        self.outcome.port = neutron.get(self.client, PORTS, self.port_id)
        self.outcome.record = documenting_record(self.outcome.port)
        self.outcome.removed_records = [r for r in drop if not r.pending
                                        and not self.ours(r)]
        if self.outcome.record is None or \
                self.outcome.record.tag != self.confirming:
            self.outcome.notes.append(
                'a concurrent change recorded a newer exception')
        self.confirming = None    # done: the record stays
        return True

    def _remove(self, tags):
        for tag in tags:
            neutron.remove_tag(self.client, PORTS, self.port_id, tag)

    def _clean_up(self):
        """On failure: remove our pending tags (they document nothing)
        and, if port security is on, our confirmed one; but when we (may
        have) turned port security off and no confirmed record documents
        it, keep our pending one: it says why the port is open. Returns
        what is left, in words, or ''."""
        try:
            port = neutron.get(self.client, PORTS, self.port_id)
            mine = [r for r in _records(port)[0] if self.ours(r)]
            on = port['port_security_enabled']
            keep = not on and (self.turned or self.uncertain) and \
                documenting_record(port) is None
            self._remove([r.tag for r in mine
                          if on or (r.pending and not keep)])
            if mine:
                port = neutron.get(self.client, PORTS, self.port_id)
        except Exception as e:
            return ('could not check what is left (%s): run `openstack '
                    'port security exception list` and finish with `%s` or '
                    '`%s`' % (neutron.describe(e), _cmd('disable',
                                                        self.port_id,
                                                        '--renew'),
                              _cmd('enable', self.port_id)))
        if not port['port_security_enabled'] and \
                documenting_record(port) is None:
            return ('port security is OFF on port %s and its exception is '
                    'unconfirmed: finish with `%s --reason ...` or undo '
                    'with `%s`' % (self.port_id,
                                   _cmd('disable', self.port_id, '--renew'),
                                   _cmd('enable', self.port_id)))
        return ''


def _absorb(errors, error, stop):
    """Go on (retry from a fresh read) after error, or stop with a
    harden.Refused: the refusal itself, or stop(error) once the
    ErrorBudget is spent."""
    if errors.spent(error):
        raise harden.Refused(neutron.describe(error)
                             if neutron.is_refusal(error) else stop(error))


def _read(client, port_id):
    """The port, before any change; any failure is a one-line error."""
    try:
        return neutron.get(client, PORTS, port_id)
    except Exception as e:
        raise harden.Refused('could not read port %s: %s; nothing was '
                             'changed' % (port_id, neutron.describe(e)))


def _exists_message(port, record):
    return ('port %s already has a documented exception (review by %s, '
            'reason: %s); use --renew to update it'
            % (port['id'], record.review_by.isoformat(), record.reason))


def resolve_groups(client, port, refs):
    """Security group IDs for --security-group (names or IDs), each of the
    port's own project; harden.Refused otherwise."""
    ids = []
    for ref in refs or ():
        group = neutron.find(client, 'security-groups', ref,
                             project_id=port['project_id'],
                             label='security group')
        if group.get('project_id') != port['project_id']:
            raise harden.Refused(
                'security group %s belongs to project %s, not to the '
                "port's project %s: give one of the port's project"
                % (group['id'], group.get('project_id'),
                   port['project_id']))
        ids.append(group['id'])
    return ids


def default_security_group(client, project_id):
    """The project's default security group id."""
    groups = neutron.list_(client, 'security-groups',
                           {'name': 'default', 'project_id': project_id,
                            'fields': ['id', 'name']},
                           'looking up the default security group')
    if len(groups) != 1:
        raise harden.Refused(
            'project %s has %s default security group; give '
            '--security-group' % (project_id, 'no' if not groups else
                                  'more than one'))
    return groups[0]['id']


def enable(client, port_id, security_groups=None, dry_run=False,
           max_attempts=MAX_ATTEMPTS):
    """Re-enable port security, restore security groups, drop the record."""
    port = _read(client, port_id)
    _require_port_security_attr(port)
    outcome = Outcome(port, changed=False, security_groups_before=list(
        port.get('security_groups') or []))
    if dry_run:
        return _preview_enable(client, port, security_groups, outcome)
    errors = neutron.ErrorBudget()
    run = _Enabling(client, port_id, security_groups, outcome)
    for _ in range(max_attempts):
        try:
            if run.attempt():
                return outcome
        except harden.Refused:
            raise
        except Exception as e:            # 5xx, reset, timeout, bad body
            _absorb(errors, e, lambda e: _enable_left(client, port_id, e))
    raise harden.Refused(
        'gave up after %d attempts: port %s kept changing; run the command '
        'again' % (max_attempts, port_id))


class _Enabling:
    """One enable, attempt by attempt: read the port, enable it (guarded by
    its revision), then remove the records seen before that update."""

    def __init__(self, client, port_id, security_groups, outcome):
        self.client, self.port_id = client, port_id
        self.security_groups, self.outcome = security_groups, outcome
        self.tried = False               # our guarded update was sent

    def attempt(self):
        """True when done (the outcome is final), False after a revision
        conflict (try again)."""
        outcome = self.outcome
        port = neutron.get(self.client, PORTS, self.port_id)
        records, malformed = _records(port)
        # A young pending record belongs to a disable in progress: only
        # that run removes it (or anyone, once it is abandoned).
        now = datetime.datetime.now(datetime.timezone.utc)
        in_progress = [r for r in records
                       if r.pending and not _abandoned(r, now)]
        records = [r for r in records if r not in in_progress]
        seen = [r.tag for r in records] + malformed
        if not port['port_security_enabled']:
            if not self._update(port):
                return False
        elif not seen:
            outcome.port = port
            if not self.tried:
                outcome.notes.append('port security is already '
                                     'enabled; nothing to do')
            outcome.notes += _in_progress_note(in_progress)
            return True
        elif not self.tried:
            outcome.notes.append('port security was already enabled; '
                                 'removing the stale exception record')
        outcome.changed = True
        # Only the tags seen before our guarded update: a record written
        # by a concurrent disable after it is not ours.
        for tag in seen:
            neutron.remove_tag(self.client, PORTS, self.port_id, tag)
        outcome.removed_records = outcome.removed_records or records
        outcome.port = neutron.get(self.client, PORTS, self.port_id)
        if not outcome.port['port_security_enabled']:
            raise harden.Refused(
                'port %s had its port security disabled again by a '
                'concurrent change; it is documented by that change'
                % self.port_id)
        self._drop_late_confirmations()
        outcome.notes += _in_progress_note(in_progress)
        return True

    def _drop_late_confirmations(self):
        """Confirmed records on the port, now enabled, that our read did
        not see: a disable confirmed what it had turned off just as our
        guarded update landed (Neutron with several workers let the update
        pass a tag written meanwhile: CI, 2026-12-07). They document
        nothing now; their run, if still going, finds its record gone
        and the port on, and says so."""
        late = [r.tag for r in _records(self.outcome.port)[0]
                if not r.pending]
        for tag in late:
            neutron.remove_tag(self.client, PORTS, self.port_id, tag)
        if late:
            self.outcome.port = neutron.get(self.client, PORTS,
                                            self.port_id)

    def _update(self, port):
        """Enable port security with its groups; False on a conflict."""
        sgs, note = _enable_target(self.client, port, self.security_groups)
        self.outcome.notes = [note] if note else []
        self.tried = True
        try:
            neutron.update(self.client, PORTS, self.port_id,
                           port['revision_number'],
                           {'port_security_enabled': True,
                            'security_groups': sgs})
        except neutron.RevisionConflict:
            self.outcome.conflicts += 1
            return False
        return True


def _in_progress_note(pending):
    if not pending:
        return []
    return ['a port security disable is in progress on this port (pending '
            'record by %s)' % ', '.join(r.granted_by or '?' for r in pending)]


def _enable_target(client, port, security_groups):
    """(security groups to apply, a note or None)."""
    if security_groups:
        return list(security_groups), None
    records = _records(port)[0]
    record = documenting_record(port) or (records[0] if records else None)
    if record and record.security_groups:
        for group in record.security_groups:
            _check_recorded_group(client, port, group)
        return list(record.security_groups), None
    if record:
        note = ('the exception record lists no security groups; using '
                "the project's default group")
    else:
        note = ("no exception record on the port; using the project's "
                'default security group')
    return [default_security_group(client, port['project_id'])], note


def _check_recorded_group(client, port, group_id):
    """harden.Refused unless the recorded group exists and belongs to
    the port's project or is shared with it (RBAC): the record is a tag
    the port's project can write, so it must not be able to attach
    another project's group through an admin's enable."""
    project = port.get('project_id')
    try:
        group = neutron.get(client, 'security-groups', group_id)
    except neutron.NotFound:
        raise harden.Refused(
            'the exception record of port %s names security group %s, '
            'which no longer exists: give --security-group; nothing was '
            'changed' % (port['id'], group_id))
    if group.get('project_id') == project:
        return
    shared = neutron.list_(client, 'rbac-policies', {
        'object_type': 'security_group', 'object_id': group_id,
        'action': 'access_as_shared'}, 'reading the RBAC policies of '
        'security group %s' % group_id)
    if any(p.get('target_tenant') in (project, '*') for p in shared):
        return
    raise harden.Refused(
        "the exception record of port %s names security group %s of "
        "project %s, not of the port's project %s nor shared with it: "
        'give --security-group (a group of project %s); nothing was '
        'changed' % (port['id'], group_id, group.get('project_id'),
                     project, project))


def _preview_enable(client, port, security_groups, outcome):
    records = _records(port)[0]
    outcome.removed_records = records
    if port['port_security_enabled']:
        outcome.notes.append(
            'port security is already enabled; %s' % (
                'the stale exception record would be removed' if records
                else 'nothing to do'))
        return outcome
    sgs, note = _enable_target(client, port, security_groups)
    if note:
        outcome.notes.append(note)
    outcome.port = dict(port, port_security_enabled=True,
                        security_groups=sgs)
    return outcome


def _enable_left(client, port_id, error):
    """The failure, with what the port is left as."""
    try:
        port = neutron.get(client, PORTS, port_id)
    except Exception:
        return ('port %s: %s; its state is unknown: check it with '
                '`openstack port show %s` and run the command again'
                % (port_id, neutron.describe(error), port_id))
    if port['port_security_enabled']:
        return ('port %s: %s; port security is ON, a stale exception record '
                'may be left: run the command again to remove it'
                % (port_id, neutron.describe(error)))
    return ('port %s: %s; nothing was changed: port security is still off'
            % (port_id, neutron.describe(error)))


@dataclasses.dataclass(frozen=True)
class ExceptionRow:
    port: dict
    status: str     # documented | overdue | requested | undocumented...
    record: object


def exception_rows(inventory, today, overdue_only=False):
    """Ports with port security off, and ports with a stale record, from
    an inventory of own_ports.NEEDS.

    Status: documented or overdue (a record an admin endorsed), requested
    (a confirmed record nobody endorsed: it documents nothing), unconfirmed
    (only a pending record: a disable that did not finish), invalid
    record, undocumented, or stale (a record on a port whose port security
    is on). Neutron's own ports
    (audit/own_ports.py: not every port claiming a network: owner) are
    listed only when they carry a record.
    """
    rows = []
    for port in inventory.ports:
        enabled = port.get('port_security_enabled')
        records, malformed = _records(port)
        if enabled is None:
            continue
        record = accepted.documenting(inventory, port)
        confirmed = [r for r in records if not r.pending]
        if enabled:
            if not (records or malformed):
                continue
            status, record = 'stale', records[0] if records else None
        elif record is not None:
            status = 'overdue' if record.is_overdue(today) else 'documented'
        elif confirmed:
            status, record = 'requested', confirmed[0]
        elif records:
            status, record = 'unconfirmed', records[0]
        elif malformed:
            status = 'invalid record'
        elif own_ports.is_neutron_own(inventory, port):
            continue      # Neutron's own ports (floating IP, router...)
        else:
            status = 'undocumented'
        if overdue_only and status != 'overdue':
            continue
        rows.append(ExceptionRow(port, status, record))
    rows.sort(key=lambda r: (r.port.get('project_id') or '',
                             r.port.get('name') or '', r.port['id']))
    return rows
