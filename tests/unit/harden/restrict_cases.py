"""Cases and helpers of test_restrict.py, shared with the modules
that test the same code (a test module imports no other)."""

import datetime
import json
from tests.unit import endorse
from tests.unit.clouds import FakeNeutron
from xloudclient.audit import inventory as inventory_mod
from xloudclient.audit import settings as settings_mod
from xloudclient.harden import restrict
from xloudclient.harden import restrict_restore
from xloudclient import records as rec
from xloudclient.harden import backups


NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.timezone.utc)


TODAY = NOW.date()


SSH, SENSITIVE, ANY = restrict.CHECKS


def _rule(rid, group='g1', prefix='0.0.0.0/0', port=22, **kw):
    base = {'id': rid, 'security_group_id': group, 'project_id': 'pa',
            'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
            'port_range_min': port, 'port_range_max': port,
            'remote_ip_prefix': prefix, 'remote_group_id': None,
            'remote_address_group_id': None, 'description': None}
    base.update(kw)
    return base


def _groups():
    return [{'id': 'g1', 'name': 'web', 'project_id': 'pa', 'tags': []},
            {'id': 'g2', 'name': 'db', 'project_id': 'pb', 'tags': []}]


def _rules():
    return [
        _rule('ssh4', description='admins'),
        _rule('ssh6', ethertype='IPv6', prefix='::/0'),
        _rule('rdp-lo', port=3389, prefix='0.0.0.0/1'),
        _rule('rdp-hi', port=3389, prefix='128.0.0.0/1'),
        _rule('https', port=443),
        _rule('ssh-mgmt', prefix='10.0.0.0/8'),
        _rule('pg', group='g2', port=5432, prefix=None,
              remote_address_group_id='ag-world', project_id='pb'),
    ]


def _inv(rules=None, groups=None, endorsements=None, **kw):
    return inventory_mod.Inventory(
        security_groups=groups or _groups(),
        security_group_rules=_rules() if rules is None else rules,
        address_groups=[{'id': 'ag-world', 'name': 'world',
                         'project_id': 'pb', 'addresses': ['0.0.0.0/0']}],
        ports=[{'id': 'p1', 'project_id': 'pa', 'security_groups': ['g1']},
               {'id': 'p2', 'project_id': 'pc',
                'security_groups': ['g1', 'g2']},
               {'id': 'p3', 'project_id': 'pb', 'security_groups': []}],
        extensions=frozenset(['security-group', 'address-group']),
        endorsements=endorsements, **kw)


SETTINGS = settings_mod.Settings(today=TODAY)


V4 = restrict.prefix_sources(['10.0.0.0/8'])


BOTH = restrict.prefix_sources(['10.0.0.0/8', 'fd00::/8'])


def _accepted_inventory(endorsed=True):
    groups = _groups()
    groups[0]['tags'] = [rec.make_decision_tag(
        SSH, 'ssh4', TODAY + datetime.timedelta(30),
        NOW - datetime.timedelta(days=1), 'admin', 'bastion by design')]
    inv = _inv(groups=groups)
    inv.endorsements = endorse.of_inventory(inv) if endorsed else {}
    return inv


def _cloud(rules=None):
    return FakeNeutron(
        extensions=['security-group', 'address-group'],
        security_groups=_groups(),
        security_group_rules=_rules() if rules is None else rules,
        address_groups=[{'id': 'ag-world', 'name': 'world',
                         'project_id': 'pb', 'addresses': ['0.0.0.0/0']}],
        ports=[])


def _shapes(cloud):
    return sorted((r['security_group_id'], r['ethertype'],
                   r.get('port_range_min'), r.get('remote_ip_prefix'),
                   r.get('remote_address_group_id'), r.get('description'))
                  for r in cloud.data['security-group-rules'])


def _plan_of(cloud, checks=(SSH, SENSITIVE), sources=BOTH):
    inv = inventory_mod.fetch(cloud, restrict.NEEDS)
    return restrict.plan(inv, SETTINGS, checks, sources)


def _restricted(tmp_path, checks=(SSH, SENSITIVE)):
    cloud = _cloud()
    before = _shapes(cloud)
    p = _plan_of(cloud, checks)
    path = str(tmp_path / 'b.json')
    restrict.apply(cloud, p, path, NOW)
    return cloud, before, path


def _load(path):
    with open(path) as f:
        return restrict_restore.check_backup(json.load(f), path)


def _edited(path, change):
    with open(path) as f:
        data = json.load(f)
    change(data)
    data['digest'] = backups.digest(data, restrict.BACKUP.digested)
    with open(path, 'w') as f:
        json.dump(data, f)
