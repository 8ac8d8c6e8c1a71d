"""Release unassociated floating IPs, with a backup and a way back.

plan_release() reads the floating IPs in scope once and picks the
unassociated ones the audit reports (an accepted finding is left alone,
so is one updated more recently than --unused-for asks); backup_body()
saves what restore needs to allocate each address again; apply_release()
deletes exactly those, each delete guarded by the revision just read (an
address associated since the plan is kept); restore() allocates the same
addresses again in the same projects.

What Neutron records says little about use: updated_at moves on every
change of the floating IP (association, disassociation, a description or
a tag), not on traffic. "Unused for 30 days" means "not associated,
disassociated or otherwise changed for 30 days", never "no packets".
"""

import dataclasses
import datetime

from xloudclient import inert_text
from xloudclient.audit import accepted
from xloudclient.audit import catalog
from xloudclient.audit import inventory
from xloudclient.audit import settings
from xloudclient.cloud import neutron
from xloudclient import harden
from xloudclient.harden import backups

COLLECTION = 'floatingips'
CHECK = 'fip-unassociated'
MAX_TAGS = 50                    # Neutron's limit per resource
# What a backup keeps of each floating IP: enough to allocate it again.
KEPT = ('id', 'floating_ip_address', 'floating_network_id', 'project_id',
        'description', 'tags', 'dns_name', 'dns_domain', 'qos_policy_id',
        'updated_at')


@dataclasses.dataclass
class ReleasePlan:
    release: list                # full floating IP dicts to release
    kept: list                   # (floating IP, why it stays)


def _parse_time(text):
    try:
        value = datetime.datetime.strptime(text or '', '%Y-%m-%dT%H:%M:%SZ')
    except ValueError:
        return None
    return value.replace(tzinfo=datetime.timezone.utc)


def select(fips, refs=(), unused_for=None, now=None, accepted=None):
    """A ReleasePlan from plain floating IP dicts: the unassociated ones
    (only those named in refs, by ID or address, when given), without the
    accepted ones (accepted: {ID: why}) and, with unused_for (days), those
    changed more recently. harden.Refused names a ref that is no
    unassociated floating IP in scope."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    accepted = accepted or {}
    chosen = fips
    if refs:
        chosen = _named(fips, refs)
    release, kept = [], []
    for fip in chosen:
        if fip.get('port_id'):
            continue
        if forwarded(fip):
            kept.append((fip, forwarded(fip)))
            continue
        if fip['id'] in accepted:
            kept.append((fip, accepted[fip['id']]))
            continue
        if unused_for is not None:
            changed = _parse_time(fip.get('updated_at'))
            if changed is None or now - changed < datetime.timedelta(
                    days=unused_for):
                kept.append((fip, 'changed %s, less than %d days ago'
                             % (fip.get('updated_at') or 'at an unknown '
                                'time', unused_for)))
                continue
        release.append(fip)
    return ReleasePlan(release, kept)


def forwarded(fip):
    """Why a floating IP with no port is in use: its port forwardings
    (Neutron's port_forwarding plugin; port_id stays null), or ''."""
    count = len(fip.get('port_forwardings') or ())
    if not count:
        return ''
    return 'in use by %d port forwarding%s' % (count, 's' * (count != 1))


def _named(fips, refs):
    by_ref = {}
    for fip in fips:
        by_ref.setdefault(fip['id'], fip)
        by_ref.setdefault(fip.get('floating_ip_address'), fip)
    chosen = []
    for ref in refs:
        fip = by_ref.get(ref)
        if fip is None:
            raise harden.Refused('no floating IP %s in scope: nothing was '
                                 'released' % neutron.bounded(ref, 80))
        if fip.get('port_id'):
            raise harden.Refused('floating IP %s is associated with port %s: '
                                 'not releasing it, nothing was released'
                                 % (ref, fip['port_id']))
        if forwarded(fip):
            raise harden.Refused('floating IP %s is %s: not releasing it, '
                                 'nothing was released'
                                 % (ref, forwarded(fip)))
        if fip not in chosen:
            chosen.append(fip)
    return chosen


def read_candidates(client, project_ids=None):
    """Every floating IP in scope (None: every project), all fields."""
    filters = {} if project_ids is None else {'project_id': project_ids}
    fips, _ = neutron.list_type(client, COLLECTION, filters,
                                neutron.WHOLE)
    return fips


# --- backup -------------------------------------------------------

BACKUP = backups.Kind(
    'xloudclient-floating-ip-backup', 'floating IP', 'floating-ips', 1,
    {'floating_ips': list}, ('floating_ips',),
    unwritten='nothing was released', unread='nothing was allocated')


def backup_body(plan):
    """What the backup of the floating IPs the plan releases holds
    (BACKUP.write writes it)."""
    return {'floating_ips': [dict({k: fip.get(k) for k in KEPT},
                                  description=unclaimed(
                                      fip.get('description')))
                             for fip in plan.release]}


def accepted_ids(fips, endorsements, today):
    """{floating IP ID: why it stays} for the unassociated floating IPs an
    endorsed, unexpired decision covers, judged as the audit judges."""
    inv = inventory.Inventory(floatingips=fips, endorsements=endorsements)
    [check] = catalog.select([CHECK])
    _, quiet = accepted.split(check.run(inv, settings.Settings()), inv,
                              today)
    return {f.resource_id: 'accepted until %s by %s' % (
        d.review_by.isoformat(), d.granted_by or '?') for f, d in quiet}


# --- release ------------------------------------------------------

MAX_CONFLICTS = 5       # revision conflicts one release absorbs


def would(plan):
    """The rows of a dry run: every floating IP the plan would release."""
    return [harden.Row(f['id'], 'would release',
                       project_id=f.get('project_id') or '',
                       name=f['floating_ip_address']) for f in plan.release]


def apply_release(client, plan):
    """Release each planned floating IP; one Row each, never raising (a
    failed row says why)."""
    return [_release(client, fip) for fip in plan.release]


# What a release writes on the floating IP just before it deletes it.
CLAIM = ' [xloud: releasing]'


def claimed(description):
    """The description the claim writes: CLAIM added, or taken away from
    one an earlier run left (either way a change, so a new revision)."""
    description = description or ''
    if description.endswith(CLAIM):
        return description[:-len(CLAIM)]
    return description[:backups.MAX_DESCRIPTION - len(CLAIM)] + CLAIM


def unclaimed(description):
    """The description without a claim an interrupted release left."""
    description = description or ''
    return description[:-len(CLAIM)] if description.endswith(CLAIM) \
        else description


def _release(client, fip):
    """Read the floating IP, claim it, then delete it at the claim's
    revision: one associated since the plan, or before the claim, or
    between the claim and the delete, is kept.

    The claim is an update at the revision read (If-Match): Neutron
    compares and swaps an update's revision in the database, so an
    association committed after the read makes it fail (412). A DELETE's
    If-Match is not compared and swapped: Neutron checks it against the
    row as the request first read it, so with several API workers an
    association committed while the delete runs was deleted with it (seen:
    4 of 10 rounds of 8 concurrent runs). The claim shrinks that window
    from read-to-delete to the delete's own transaction."""
    def row(action, failed=False):
        return harden.Row(fip['id'], action, failed,
                          fip.get('project_id') or '',
                          name=fip.get('floating_ip_address') or '')

    budget, tried, conflicts = neutron.ErrorBudget(), False, 0
    while True:
        try:
            current = neutron.get(client, COLLECTION, fip['id'])
            if current.get('port_id'):
                return row('kept: associated with port %s since the plan'
                           % current['port_id'])
            if forwarded(current):
                return row('kept: %s since the plan' % forwarded(current))
            tried = True
            claim = neutron.update(
                client, COLLECTION, fip['id'], current['revision_number'],
                {'description': claimed(current.get('description'))})
            if claim.get('port_id'):
                continue        # associated in the same instant: read again
            if not neutron.delete(client, COLLECTION, fip['id'],
                                  'deleting floating IP %s' % fip['id'],
                                  revision=claim.get('revision_number')):
                return row('already gone')      # between read and delete
            return row('released')
        except neutron.NotFound:
            return row('released' if tried else 'already gone')
        except neutron.RevisionConflict as e:
            conflicts += 1          # changed since the read: read again
            if conflicts >= MAX_CONFLICTS:
                return row('failed: kept changing (%s)'
                           % neutron.describe(e), True)
        except Exception as e:      # 5xx, reset, timeout, bad body
            if budget.spent(e):
                return row('failed: %s' % neutron.describe(e), True)


# --- restore ------------------------------------------------------


def failures(rows, verb, again):
    """'' when no row failed; else the one line that says which failed
    and the command that finishes (again: its argv)."""
    failed = [r for r in rows if r.failed]
    if not failed:
        return ''
    return '%d of %d floating IPs failed to %s (%s%s); finish with `%s`' % (
        len(failed), len(rows), verb,
        '; '.join('%s: %s' % (r.name, r.action) for r in failed[:3]),
        '; ...' if len(failed) > 3 else '', inert_text.command(*again))
