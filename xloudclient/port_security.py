"""Disable and re-enable port security with a documented exception record.

Each command seeks its goal state in a loop of "read the port, take the
next step, read again". Port updates are guarded by the port's revision
(If-Match); tags are added and removed one at a time and only ever the
exact record tags this run created or observed before its guarded update.
The orders are chosen so that no interruption or race leaves port security
off without a record:

* disable: add our record tag, then turn port security off (guarded), then
  drop older records;
* enable: turn port security on (guarded), then drop the records seen.

The worst an interrupted run leaves is a stale record on a port whose port
security is on, which has no effect and which the next run cleans up.
"""

import dataclasses
import datetime

from xloudclient import exception_record as rec
from xloudclient import neutron

DEFAULT_REVIEW_DAYS = 90
MAX_REVIEW_DAYS = 366
MAX_ATTEMPTS = 10
PORTS = 'ports'


class PortSecurityError(Exception):
    """A refusal or failure, explained in one line."""


@dataclasses.dataclass
class Outcome:
    port: dict
    changed: bool
    record: object = None            # the Record now on the port, if any
    removed_records: list = dataclasses.field(default_factory=list)
    security_groups_before: list = dataclasses.field(default_factory=list)
    notes: list = dataclasses.field(default_factory=list)
    conflicts: int = 0               # revision conflicts retried


def review_date(today, review_by=None, review_in=None):
    """The review date from --review-by or --review-in (default 90 days)."""
    if review_by is not None:
        try:
            date = datetime.date.fromisoformat(review_by)
        except ValueError:
            raise PortSecurityError(
                '--review-by must be a date as YYYY-MM-DD, not %r'
                % review_by)
    else:
        days = DEFAULT_REVIEW_DAYS if review_in is None else review_in
        if days < 0:
            raise PortSecurityError('--review-in must not be negative')
        date = today + datetime.timedelta(days=days)
    if date < today:
        raise PortSecurityError(
            'the review date %s is in the past' % date.isoformat())
    if (date - today).days > MAX_REVIEW_DAYS:
        raise PortSecurityError(
            'the review date %s is more than %d days away; exceptions are '
            'to be reviewed at least quarterly' % (date.isoformat(),
                                                   MAX_REVIEW_DAYS))
    return date


def _records(port):
    return rec.records_in(port.get('tags'))


def _require_port_security_attr(port):
    if 'port_security_enabled' not in port:
        raise PortSecurityError(
            'port %s has no port_security_enabled attribute: the cloud '
            'lacks the port-security extension' % port['id'])


def _pairs_text(port):
    return ', '.join(
        p.get('ip_address', '?') + (' (%s)' % p['mac_address']
                                    if p.get('mac_address') else '')
        for p in port.get('allowed_address_pairs') or ())


def disable(client, port_id, reason, review_by, granted_by, renew=False,
            dry_run=False, now=None, max_attempts=MAX_ATTEMPTS):
    """Disable port security on a port and record the exception."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    reason = rec.validate_reason(reason)
    port = neutron.get(client, PORTS, port_id)
    _require_port_security_attr(port)
    if port.get('allowed_address_pairs'):
        raise PortSecurityError(
            'port %s has allowed address pairs (%s); Neutron refuses to '
            'disable port security while it has them: remove them first'
            % (port['id'], _pairs_text(port)))
    records, _ = _records(port)
    if records and not port['port_security_enabled'] and not renew:
        raise PortSecurityError(_exists_message(port, records[0]))

    def memo(port, records):
        if port['port_security_enabled']:
            return list(port.get('security_groups') or [])
        if records:
            return list(records[0].security_groups)
        return list(port.get('security_groups') or [])

    def new_tag(sgs):
        return rec.make_tag(review_by, now, granted_by, sgs, reason)

    # Fails here, before any change, when the reason does not fit.
    planned = rec.parse_tag(new_tag(memo(port, records)))
    outcome = Outcome(port, changed=not dry_run, record=planned,
                      removed_records=[r for r in records],
                      security_groups_before=list(
                          port.get('security_groups') or []))
    if not port['port_security_enabled'] and not records:
        outcome.notes.append(
            'port security was already disabled without a record; the '
            'security groups it had before are unknown')
    if dry_run:
        return outcome

    own = None
    try:
        for _ in range(max_attempts):
            port = neutron.get(client, PORTS, port_id)
            records, malformed = _records(port)
            ps_on = port['port_security_enabled']
            foreign = [r for r in records if r.tag != own]
            if not ps_on and foreign and not renew:
                raise PortSecurityError(_exists_message(port, foreign[0]) +
                                        ' (granted by a concurrent change)')
            sgs = memo(port, foreign)
            if own is None or (ps_on and sorted(
                    rec.parse_tag(own).security_groups) != sorted(sgs)):
                fresh = new_tag(sgs)
                neutron.add_tag(client, PORTS, port_id, fresh)
                if own:
                    neutron.remove_tag(client, PORTS, port_id, own)
                own = fresh
                continue
            if own not in port.get('tags', ()):
                own = None  # removed by a concurrent enable: start over
                continue
            if ps_on or port.get('security_groups'):
                try:
                    neutron.update(client, PORTS, port_id,
                                   port['revision_number'],
                                   {'port_security_enabled': False,
                                    'security_groups': []})
                except neutron.RevisionConflict:
                    outcome.conflicts += 1
                continue
            for tag in [r.tag for r in foreign] + malformed:
                neutron.remove_tag(client, PORTS, port_id, tag)
            outcome.port = neutron.get(client, PORTS, port_id)
            outcome.record = rec.parse_tag(own)
            outcome.removed_records = foreign
            own = None  # done: the record stays
            return outcome
        raise PortSecurityError(
            'gave up after %d attempts: port %s kept changing; nothing '
            'was changed' % (max_attempts, port_id))
    finally:
        if own is not None:
            _drop_own_if_unused(client, port_id, own)


def _drop_own_if_unused(client, port_id, own):
    """On failure, remove our record unless it alone documents the port."""
    try:
        port = neutron.get(client, PORTS, port_id)
        others = [r for r in _records(port)[0] if r.tag != own]
        if port['port_security_enabled'] or others:
            neutron.remove_tag(client, PORTS, port_id, own)
    except neutron.NeutronError:
        pass


def _exists_message(port, record):
    return ('port %s already has a documented exception (review by %s, '
            'reason: %s); use --renew to update it'
            % (port['id'], record.review_by.isoformat(), record.reason))


def default_security_group(client, project_id):
    """The project's default security group id."""
    groups = neutron.list_(client, 'security-groups',
                           {'name': 'default', 'project_id': project_id,
                            'fields': ['id', 'name']},
                           'looking up the default security group')
    if len(groups) != 1:
        raise PortSecurityError(
            'project %s has %s default security group; give '
            '--security-group' % (project_id, 'no' if not groups else
                                  'more than one'))
    return groups[0]['id']


def enable(client, port_id, security_groups=None, dry_run=False,
           max_attempts=MAX_ATTEMPTS):
    """Re-enable port security, restore security groups, drop the record."""
    port = neutron.get(client, PORTS, port_id)
    _require_port_security_attr(port)
    outcome = Outcome(port, changed=False, security_groups_before=list(
        port.get('security_groups') or []))

    def target(port, records):
        if security_groups:
            return list(security_groups), None
        if records and records[0].security_groups:
            return list(records[0].security_groups), None
        if records:
            note = ('the exception record lists no security groups; using '
                    "the project's default group")
        else:
            note = ("no exception record on the port; using the project's "
                    'default security group')
        return [default_security_group(client, port['project_id'])], note

    for _ in range(max_attempts):
        port = neutron.get(client, PORTS, port_id)
        records, malformed = _records(port)
        seen = [r.tag for r in records] + malformed
        if port['port_security_enabled']:
            if not seen:
                outcome.port = port
                outcome.notes.append('port security is already enabled; '
                                     'nothing to do')
                return outcome
            outcome.notes.append('port security was already enabled; '
                                 'removing the stale exception record')
        else:
            sgs, note = target(port, records)
            if note:
                outcome.notes.append(note)
            if dry_run:
                outcome.removed_records = records
                outcome.port = dict(port, port_security_enabled=True,
                                    security_groups=sgs)
                return outcome
            try:
                neutron.update(client, PORTS, port_id,
                               port['revision_number'],
                               {'port_security_enabled': True,
                                'security_groups': sgs})
            except neutron.RevisionConflict:
                outcome.conflicts += 1
                outcome.notes = []
                continue
        if dry_run:
            outcome.removed_records = records
            return outcome
        # Only the tags seen before our guarded update: a record written
        # by a concurrent disable after it is not ours to remove.
        for tag in seen:
            neutron.remove_tag(client, PORTS, port_id, tag)
        outcome.changed = True
        outcome.removed_records = records
        outcome.port = neutron.get(client, PORTS, port_id)
        if not outcome.port['port_security_enabled']:
            raise PortSecurityError(
                'port %s had its port security disabled again by a '
                'concurrent change; it is documented by that change'
                % port_id)
        return outcome
    raise PortSecurityError(
        'gave up after %d attempts: port %s kept changing; nothing was '
        'changed' % (max_attempts, port_id))


@dataclasses.dataclass(frozen=True)
class ExceptionRow:
    port: dict
    status: str          # documented | overdue | undocumented | invalid
    record: object


def exception_rows(ports, today, overdue_only=False):
    """Every port with port security disabled, with its record status."""
    rows = []
    for port in ports:
        if port.get('port_security_enabled') is not False:
            continue
        records, malformed = _records(port)
        if records:
            record = records[0]
            status = 'overdue' if record.is_overdue(today) else 'documented'
        else:
            record = None
            status = 'invalid record' if malformed else 'undocumented'
        if overdue_only and status != 'overdue':
            continue
        rows.append(ExceptionRow(port, status, record))
    rows.sort(key=lambda r: (r.port.get('project_id') or '',
                             r.port.get('name') or '', r.port['id']))
    return rows
