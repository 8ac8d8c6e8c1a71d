"""Run one check over plain data."""

import datetime

from xloudclient.audit import catalog
from xloudclient.audit.inventory import Inventory
from xloudclient.audit.settings import Settings

TODAY = datetime.date(2026, 11, 26)


def run(check_id, settings=None, **resources):
    chk = {c.id: c for c in catalog.all_checks()}[check_id]
    return chk.run(Inventory(**resources),
                   settings or Settings(today=TODAY))


def ids(findings):
    return sorted(f.resource_id for f in findings)


def rule(rid, **kw):
    base = {'id': rid, 'security_group_id': 'web', 'project_id': 'p',
            'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
            'port_range_min': None, 'port_range_max': None,
            'remote_ip_prefix': '0.0.0.0/0', 'remote_group_id': None,
            'remote_address_group_id': None}
    base.update(kw)
    return base


GROUPS = [{'id': 'web', 'name': 'web', 'project_id': 'p'},
          {'id': 'def', 'name': 'default', 'project_id': 'p'},
          {'id': 'def2', 'name': 'default', 'project_id': 'q'}]
