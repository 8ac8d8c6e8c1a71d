"""Cases and helpers of test_port_security.py, shared with the modules
that test the same code (a test module imports no other)."""

import datetime
from tests.unit import run_contexts
from tests.unit.clouds import FakeNeutron
from xloudclient import records as rec


TODAY = datetime.date(2026, 11, 26)


REVIEW = datetime.date(2027, 2, 24)


SG1, SG2 = ('11111111-1111-1111-1111-111111111111',
            '22222222-2222-2222-2222-222222222222')


DEFAULT_SG = '33333333-3333-3333-3333-333333333333'


def _cloud(**port):
    base = {'id': 'p1', 'name': 'fw', 'project_id': 'proj',
            'port_security_enabled': True, 'security_groups': [SG1, SG2],
            'tags': ['keep-me']}
    base.update(port)
    return FakeNeutron.of_ports([base], [{'id': DEFAULT_SG, 'name': 'default',
                                          'project_id': 'proj'},
                                {'id': SG1, 'name': 'sg-one',
                                 'project_id': 'proj'},
                                {'id': SG2, 'name': 'sg-two',
                                 'project_id': 'proj'}])


def _records(cloud):
    return rec.records_in(cloud.ports['p1']['tags'])[0]


def _disable(cloud, **kw):
    kw.setdefault('renew', False)
    return run_contexts.disable(cloud, 'p1', kw.pop('reason', 'appliance'),
                                REVIEW, 'admin', **kw)


def _port(pid, enabled, tags=()):
    return {'id': pid, 'name': pid, 'project_id': 'proj',
            'port_security_enabled': enabled, 'tags': list(tags)}
