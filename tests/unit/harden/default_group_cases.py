"""Cases and helpers of test_default_group.py, shared with the modules
that test the same code (a test module imports no other)."""

import datetime
import json
from tests.unit.clouds import FakeNeutron
from xloudclient.harden import default_group


NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=datetime.timezone.utc)


def _rule(rid, group, project, **kw):
    base = {'id': rid, 'security_group_id': group, 'project_id': project,
            'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': None,
            'port_range_min': None, 'port_range_max': None,
            'remote_ip_prefix': None, 'remote_group_id': group,
            'remote_address_group_id': None, 'description': None,
            'revision_number': 0}
    base.update(kw)
    return base


def _cloud():
    groups = [{'id': 'da', 'name': 'default', 'project_id': 'a'},
              {'id': 'db', 'name': 'default', 'project_id': 'b'},
              {'id': 'wa', 'name': 'web', 'project_id': 'a'}]
    rules = [
        _rule('a4', 'da', 'a'), _rule('a6', 'da', 'a', ethertype='IPv6'),
        _rule('a-egress', 'da', 'a', direction='egress',
              remote_group_id=None),
        _rule('a-ssh', 'da', 'a', protocol='tcp', port_range_min=22,
              port_range_max=22, remote_group_id=None,
              remote_ip_prefix='10.0.0.0/8', description='admins'),
        _rule('a-tcp-self', 'da', 'a', protocol='tcp'),
        _rule('w-self', 'wa', 'a', remote_group_id='wa'),
        _rule('b4', 'db', 'b'),
    ]
    ports = [{'id': 'p1', 'project_id': 'a', 'security_groups': ['da']},
             {'id': 'p2', 'project_id': 'a', 'security_groups': ['da', 'wa']},
             {'id': 'p3', 'project_id': 'a', 'security_groups': ['wa']}]
    templates = [
        {'id': 't-in4', 'direction': 'ingress', 'ethertype': 'IPv4',
         'remote_group_id': 'PARENT', 'protocol': None,
         'port_range_min': None, 'port_range_max': None,
         'remote_ip_prefix': None, 'remote_address_group_id': None,
         'used_in_default_sg': True, 'used_in_non_default_sg': False,
         'description': 'Legacy'},
        {'id': 't-eg4', 'direction': 'egress', 'ethertype': 'IPv4',
         'remote_group_id': None, 'protocol': None, 'port_range_min': None,
         'port_range_max': None, 'remote_ip_prefix': None,
         'remote_address_group_id': None, 'used_in_default_sg': True,
         'used_in_non_default_sg': True, 'description': 'Legacy'}]
    return FakeNeutron(
        extensions=['security-groups-default-rules'],
        security_groups=groups, security_group_rules=rules, ports=ports,
        default_security_group_rules=templates)


def _write_backup(path, *plan):
    """The backup of a plan, written as the command writes it."""
    return default_group.BACKUP.write(path, default_group.backup_body(*plan),
                                      NOW)


def _backup(tmp_path, cloud=None, projects=None):
    cloud = cloud or _cloud()
    plans = default_group.plan(cloud, projects)
    templates, _ = default_group.plan_templates(cloud)
    path = str(tmp_path / 'backup.json')
    _write_backup(path, plans, templates)
    default_group.apply(cloud, plans, templates)
    with open(path) as f:
        return cloud, path, json.load(f)
