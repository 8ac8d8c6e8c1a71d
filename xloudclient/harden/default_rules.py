"""Harden Neutron's default security-group rule templates that let a
service in from anywhere (the audit's check sg-template-from-world), with
a backup and a way back.

plan() reads the templates and the address groups (one list each) and
judges them with the check itself, so the command deletes what the audit
reports and nothing else; apply() writes the backup, then deletes exactly
the planned entries. A template has nothing to update: its revision never
moves and If-Match would guard nothing, so each delete names one entry by
ID (a second run finds it gone). restore() re-creates every backed-up
entry that is missing (`openstack security group harden restore`).
Deleting a template changes no existing group: only groups Neutron
creates later.
"""

import dataclasses
import ipaddress

from xloudclient.audit import catalog
from xloudclient.audit import inventory as inventory_mod
from xloudclient.cloud import neutron
from xloudclient import harden
from xloudclient.harden import backups
from xloudclient.harden import default_group
from xloudclient.harden import default_group_restore

CHECK = 'sg-template-from-world'
NEEDS = ('default_security_group_rules', 'address_groups')
# What a template is created from (what a restore sends back).
CREATE_KEYS = ('direction', 'ethertype', 'protocol', 'port_range_min',
               'port_range_max', 'remote_ip_prefix',
               'remote_address_group_id', 'used_in_default_sg',
               'used_in_non_default_sg', 'description')


@dataclasses.dataclass
class TemplatePlan:
    entries: list            # the template entries to delete, by ID
    details: dict            # {entry ID: the check's detail}


def _refuse_without_templates(client):
    present = neutron.extensions(client)
    for alias in ('security-group', default_group.TEMPLATE_EXTENSION):
        if alias not in present:
            raise harden.Refused(
                'the cloud lacks the Neutron extension %s: it has no '
                'default security group rule templates to harden; nothing '
                'was changed' % alias)
    return present


def plan(client, settings, entry_ids=()):
    """The TemplatePlan: the entries the check reports (only those named
    in entry_ids, when given); harden.Refused names an entry that does not
    exist or is not open from anywhere."""
    aliases = _refuse_without_templates(client)
    inventory = inventory_mod.fetch(
        client, NEEDS, how=inventory_mod.Fetching(extensions=aliases))
    [check] = catalog.select([CHECK])
    found = {f.resource_id: f.detail
             for f in check.run(inventory, settings)}
    present = inventory.by_type('default_security_group_rules')
    for entry_id in entry_ids:
        if entry_id not in present:
            raise harden.Refused('no default security group rule %s: '
                                 'nothing was changed'
                                 % neutron.bounded(entry_id, 80))
        if entry_id not in found:
            raise harden.Refused(
                'default security group rule %s lets nothing sensitive in '
                'from anywhere (the check %s does not report it): nothing '
                'to harden, nothing was changed' % (entry_id, CHECK))
    chosen = sorted(i for i in found if not entry_ids or i in entry_ids)
    return TemplatePlan([present[i] for i in chosen],
                        {i: found[i] for i in chosen})


# --- backup ------------------------------------------------------------

BACKUP = backups.Kind(
    'xloudclient-default-security-group-rule-backup',
    'default security group rule template', 'template-sg', 1,
    {'templates': list}, ('templates',))


def backup_body(template_plan):
    """What the backup of the plan holds (BACKUP.write writes it)."""
    return {'templates': list(template_plan.entries)}


# --- apply -------------------------------------------------------------

def _where(entry):
    return default_group.Where('', '', 'template:%s' % entry['id'])


def would(template_plan):
    """The rows of a dry run."""
    return [_where(e).row(e.get('ethertype', ''))('would delete')
            for e in template_plan.entries]


def apply(client, template_plan):
    """Delete exactly the planned entries: a Row each, never raising."""
    return [default_group.delete_item(client, default_group.TEMPLATES, e,
                                      _where(e))
            for e in template_plan.entries]


# --- restore -----------------------------------------------------------

def is_ours(data):
    return isinstance(data, dict) and data.get('format') == BACKUP.format


def check_backup(data, path):
    """data, when it is an intact backup of this command holding only
    template entries it deletes; else harden.Refused."""
    BACKUP.check(data, path)
    for i, entry in enumerate(data['templates']):
        problem = _entry_problem(entry)
        if problem:
            raise harden.Refused(
                '%s: template entry %d %s; a template backup holds only '
                'ingress templates from anywhere: refusing it, nothing was '
                'created' % (path, i + 1, problem))
    return data


def _port_problem(entry):
    for key in ('port_range_min', 'port_range_max'):
        value = entry.get(key)
        if value is not None and (type(value) is not int or
                                  not 0 <= value <= 65535):
            return 'has a %s that is not a port number' % key
    protocol = entry.get('protocol')
    if protocol is not None and not isinstance(protocol, (str, int)):
        return 'has a protocol that is neither text nor a number'
    return None


def _remote_problem(entry):
    if entry.get('remote_group_id'):
        return 'has a remote group'
    prefix, group = (entry.get('remote_ip_prefix'),
                     entry.get('remote_address_group_id'))
    if group is not None and (not isinstance(group, str) or prefix):
        return 'has an address group that is not an ID alone'
    if prefix is None:
        return None
    try:
        if ipaddress.ip_network(prefix, strict=False).prefixlen == 0:
            return None
    except (TypeError, ValueError):
        pass
    return 'has a remote prefix that is not anywhere (/0)'


def _entry_problem(entry):
    """Why entry is not a template this command deletes, or None."""
    if not isinstance(entry, dict):
        return 'is not an object'
    if not isinstance(entry.get('id'), str):
        return 'has no id'
    if entry.get('direction') != 'ingress' or entry.get(
            'ethertype') not in ('IPv4', 'IPv6'):
        return '(%s) is not an IPv4 or IPv6 ingress template' % (
            neutron.bounded(entry['id'], 40))
    used = [entry.get(k) for k in ('used_in_default_sg',
                                   'used_in_non_default_sg')]
    if any(type(u) is not bool for u in used) or not any(used):
        return 'is used in no new group'
    return (_port_problem(entry) or _remote_problem(entry) or
            backups.description_problem(entry))


def body_of(entry):
    """The create request of a backed-up entry."""
    return {k: entry[k] for k in CREATE_KEYS if entry.get(k) is not None}


def restore(client, data, dry_run=False):
    """Re-create each backed-up entry that is missing: a Row each."""
    return default_group_restore.restore_templates(
        client, data['templates'], dry_run, body_of)
