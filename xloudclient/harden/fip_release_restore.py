"""Allocate again the floating IPs `floating ip harden release` released,
from its backup.

load_backup() distrusts the file (backups.Kind.check; then each entry:
a floating IP to allocate, with its description and tags within
Neutron's limits). restore() allocates each address in its project,
with its description and tags, and reports an address another project
holds now with its holder."""

import ipaddress
from xloudclient import inert_text
from xloudclient.cloud import neutron
from xloudclient import harden
from xloudclient.harden import backups
from xloudclient.harden import fip_release


def load_backup(path):
    """The backup's entries; harden.Refused unless the file is one of ours,
    intact, and every entry is a floating IP to allocate again."""
    entries = fip_release.BACKUP.load(path)['floating_ips']
    for i, entry in enumerate(entries):
        problem = _entry_problem(entry)
        if problem:
            raise harden.Refused('%s: entry %d %s: refusing it, nothing was '
                                 'allocated' % (path, i + 1, problem))
    return entries


def _entry_problem(entry):
    """Why an entry is not a floating IP restore may allocate, or None."""
    if not isinstance(entry, dict):
        return 'is not an object'
    for key in ('id', 'floating_ip_address', 'floating_network_id',
                'project_id'):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return 'has no %s' % key
    try:
        ipaddress.ip_address(entry['floating_ip_address'])
    except ValueError:
        return 'has no valid floating_ip_address'
    problem = backups.description_problem(entry)
    if problem:
        return problem
    tags = entry.get('tags')
    if tags is not None and (not isinstance(tags, list) or
                             len(tags) > fip_release.MAX_TAGS or
                             not all(isinstance(t, str) for t in tags)):
        return 'has tags that are not a list of at most %d strings' \
            % fip_release.MAX_TAGS
    for key in ('dns_name', 'dns_domain', 'qos_policy_id'):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            return 'has a %s that is not text' % key
    return None


CHOSEN_ADDRESS = (
    "choosing a floating IP's address needs the admin role or, from "
    "Neutron 2026.2, the project's manager role (policy create_floatingip:"
    'floating_ip_address): an admin or a manager of the project must run '
    'the restore')


def restore(client, entries, dry_run=False):
    """Allocate each backed-up address again in its project (with its
    description and tags); one Row each, never raising. An address held
    by another project is reported with its holder."""
    return [_restore(client, entry, dry_run) for entry in entries]


def _restore(client, entry, dry_run):
    def row(action, failed=False, new_id=''):
        return harden.Row(entry['id'], action, failed, entry['project_id'],
                          name=entry['floating_ip_address'],
                          made=[new_id] if new_id else [])

    budget, tried = neutron.ErrorBudget(), False
    while True:
        try:
            held = _holder(client, entry)
            if held is not None:
                return row(*_present(client, entry, held, dry_run, tried))
            if dry_run:
                return row('would allocate')
            tried = True
            created = neutron.create(client, fip_release.COLLECTION,
                                     _body(entry),
                                     'allocating %s'
                                     % entry['floating_ip_address'])
            _tag(client, created, entry)
            return row('restored', new_id=created['id'])
        except Exception as e:
            status = getattr(e, 'status', None)
            if status == 403:
                return row('failed: %s (%s)' % (CHOSEN_ADDRESS,
                                                neutron.describe(e)), True)
            if budget.spent(e):
                return row('failed: %s' % neutron.describe(e), True)


def _holder(client, entry):
    """The floating IP holding the entry's address now, or None."""
    found = neutron.list_(client, fip_release.COLLECTION, {
        'floating_ip_address': entry['floating_ip_address'],
        'floating_network_id': entry['floating_network_id']},
        'looking up floating IP %s' % entry['floating_ip_address'])
    return found[0] if found else None


def _present(client, entry, held, dry_run, tried):
    """(action, failed, new ID) when the address is allocated already:
    ours (a rerun, or a create whose answer was lost) gets its tags;
    another project's is reported."""
    if held.get('project_id') != entry['project_id']:
        return ('not restored: %s is held by project %s (floating IP %s, '
                'port %s): a released address is free to take by name for '
                'an admin and, from Neutron 2026.2, for the manager of any '
                'project; only project %s can give it back (`%s`), then '
                'restore again' % (
                    entry['floating_ip_address'], held.get('project_id'),
                    held['id'], held.get('port_id') or 'none',
                    held.get('project_id'), inert_text.command(
                        'openstack', 'floating', 'ip', 'delete',
                        held['id'])), True, '')
    if not dry_run:
        _tag(client, held, entry)
    return ('restored' if tried else 'already present'), False, held['id']


def _body(entry):
    body = {k: entry[k] for k in ('floating_network_id',
                                  'floating_ip_address', 'project_id')}
    for key in ('description', 'dns_name', 'dns_domain', 'qos_policy_id'):
        if entry.get(key):
            body[key] = entry[key]
    return body


def _tag(client, fip, entry):
    """Give the floating IP the entry's tags (all of them, at once)."""
    if entry.get('tags') and sorted(fip.get('tags') or ()) != sorted(
            entry['tags']):
        neutron.set_tags(client, fip_release.COLLECTION, fip['id'],
                         entry['tags'])
