"""Cases and helpers of test_port_security_races.py, shared with the modules
that test the same code (a test module imports no other)."""

from tests.unit.clouds import FakeNeutron
from xloudclient import records as rec


SG1 = '11111111-1111-1111-1111-111111111111'


DEFAULT_SG = '33333333-3333-3333-3333-333333333333'


def _cloud(enabled=True, tags=()):
    return FakeNeutron.of_ports(
        [{'id': 'p1', 'name': 'fw', 'project_id': 'proj',
          'port_security_enabled': enabled,
          'security_groups': [SG1] if enabled else [],
          'tags': ['keep-me'] + list(tags)}],
        [{'id': DEFAULT_SG, 'name': 'default', 'project_id': 'proj'},
         {'id': SG1, 'name': 'sg-one', 'project_id': 'proj'}])


def violations(cloud):
    port = cloud.ports['p1']
    records, malformed = rec.records_in(port['tags'])
    confirmed = [r for r in records if not r.pending]
    found = []
    if 'keep-me' not in port['tags']:
        found.append('an unrelated tag was lost')
    if port['port_security_enabled']:
        if records or malformed:
            found.append('record left on an enabled port: %s'
                         % port['tags'])
    elif not confirmed:
        found.append('port security off with no valid record: %s'
                     % port['tags'])
    return found
