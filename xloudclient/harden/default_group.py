"""Harden projects' default security groups, with a backup and a way back.

plan() reads (one list per resource type) and decides; backup_body()
saves every rule and template entry that apply() will delete; apply()
deletes exactly those (each delete guarded by the rule's revision);
restore() re-creates what a backup holds and is missing.
"""

import collections
import dataclasses
import datetime

from xloudclient.audit.rules import is_same_group_rule
from xloudclient.cloud import neutron
from xloudclient import harden
from xloudclient.harden import backups

TEMPLATE_EXTENSION = 'security-groups-default-rules'
TEMPLATES = 'default-security-group-rules'
RULES = 'security-group-rules'
MATCH_KEYS = ('direction', 'ethertype', 'protocol', 'port_range_min',
              'port_range_max', 'remote_ip_prefix', 'remote_group_id',
              'remote_address_group_id')
TEMPLATE_KEYS = MATCH_KEYS + ('used_in_default_sg', 'used_in_non_default_sg')


@dataclasses.dataclass
class ProjectPlan:
    project_id: str
    group: dict                 # None: the project has no default group yet
    rules: list                 # full rule dicts to delete
    ports_using: int = 0
    ports_only_default: int = 0


def is_permissive_template(entry):
    return (entry.get('direction') == 'ingress'
            and entry.get('remote_group_id') == 'PARENT'
            and entry.get('protocol') in (None, '', 'any')
            and entry.get('port_range_min') is None
            and entry.get('port_range_max') is None
            and not entry.get('remote_ip_prefix')
            and entry.get('used_in_default_sg'))


def plan(client, project_ids=None):
    """ProjectPlans for the given projects (None: every project)."""
    filters = {'name': 'default'}
    if project_ids is not None:
        filters['project_id'] = list(project_ids)
    groups, _ = neutron.list_type(client, 'security_groups',
                                  filters)
    rule_filters = {'direction': 'ingress'}
    port_filters = {}
    if project_ids is not None:
        rule_filters['project_id'] = list(project_ids)
        port_filters['project_id'] = list(project_ids)
    rules, _ = neutron.list_type(client, 'security_group_rules',
                                 rule_filters, neutron.WHOLE)
    ports, _ = neutron.list_type(client, 'ports', port_filters)
    by_group = {}
    for rule in rules:
        by_group.setdefault(rule.get('security_group_id'), []).append(rule)
    plans = {}
    for group in groups:
        permissive = [r for r in by_group.get(group['id'], [])
                      if is_same_group_rule(r)]
        using = [p for p in ports if group['id'] in
                 (p.get('security_groups') or ())]
        plans[group['project_id']] = ProjectPlan(
            group['project_id'], group,
            sorted(permissive, key=lambda r: (r['ethertype'], r['id'])),
            len(using),
            sum(1 for p in using if len(p['security_groups']) == 1))
    for project_id in project_ids or ():
        plans.setdefault(project_id, ProjectPlan(project_id, None, []))
    return [plans[k] for k in sorted(plans)]


def plan_templates(client):
    """(template entries to delete, all entries); harden.Refused if absent."""
    if TEMPLATE_EXTENSION not in neutron.extensions(client):
        raise harden.Refused(
            'the cloud lacks the %s extension: there is no default '
            'security group rule template to harden (leave out --template '
            'to harden the projects\' groups); nothing was changed'
            % TEMPLATE_EXTENSION)
    entries = neutron.list_(client, TEMPLATES, None,
                            'listing default security group rules')
    return [e for e in entries if is_permissive_template(e)], entries


# --- backup -------------------------------------------------------

# Version 2 has a digest; 1 is still read.
BACKUP = backups.Kind(
    'xloudclient-default-security-group-backup', 'default security group',
    'default-sg', 2, {'rules': list, 'templates': list},
    ('projects', 'rules', 'templates'), older=(1,), digest_since=2)


def backup_body(plans, templates):
    """What the backup of the plans holds (BACKUP.write writes it)."""
    return {
        'projects': [{'project_id': p.project_id,
                      'security_group_id': p.group['id']}
                     for p in plans if p.group and p.rules],
        'rules': [r for p in plans for r in p.rules],
        'templates': list(templates),
    }


# --- apply -------------------------------------------------------

def would(plans, templates):
    """The rows of a dry run: everything the plan would delete."""
    return [row_of(r['id'], p.project_id, p.group['id'], r['ethertype'])(
        'would delete') for p in plans if p.group for r in p.rules] + [
            row_of('template:' + t['id'], '', '', t['ethertype'])(
                'would delete') for t in templates]


def apply(client, plans, templates):
    """Delete exactly the planned rules and template entries."""
    rows = []
    for p in plans:
        if p.group is None:
            rows.append(harden.Row('', 'no default group yet',
                                   project_id=p.project_id))
            continue
        if not p.rules:
            rows.append(harden.Row('', 'unchanged (already hardened)',
                                   project_id=p.project_id,
                                   group_id=p.group['id']))
            continue
        for rule in p.rules:
            rows.append(_delete_rule(client, p, rule))
    for entry in templates:
        rows.append(delete_item(client, TEMPLATES, entry,
                                Where('', '', 'template:' + entry['id'])))
    return rows


def _delete_rule(client, p, rule):
    return delete_item(client, RULES, rule,
                       Where(p.project_id, p.group['id'], rule['id']))


class Where(collections.namedtuple('Where', 'project_id group_id label')):
    """Where a delete or create acts, as its Row names it."""

    def row(self, ethertype):
        """harden.Row(action, failed=False) of this item."""
        return row_of(self.label, self.project_id, self.group_id,
                      ethertype)


def row_of(item, project_id, group_id, ethertype):
    def row(action, failed=False):
        return harden.Row(item, action, failed, project_id, group_id,
                          ethertype)
    return row


def delete_item(client, collection, item, where):
    """Delete one rule or template entry; report, never raise.

    No If-Match: rules and template entries have no attribute that can be
    updated, so their revision never moves and a guard would guard nothing;
    the delete names one exact rule by ID.
    """
    row = where.row(item.get('ethertype', ''))
    try:
        if not neutron.delete(client, collection, item['id'],
                              'deleting %s' % where.label):
            return row('already gone')
    except Exception as e:  # a refusal or a transport failure: go on
        return row('failed: %s' % neutron.describe(e), True)
    return row('deleted')


# --- restore -------------------------------------------------------


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)
