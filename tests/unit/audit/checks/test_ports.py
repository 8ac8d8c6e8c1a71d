import datetime

import pytest

from tests.unit.audit.checks.helpers import ids
from tests.unit.audit.checks.helpers import run
from tests.unit.audit.checks.helpers import TODAY
from tests.unit import endorse
from xloudclient import records as rec

GRANTED = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def _record(review, pending=False):
    return rec.make_tag(review, GRANTED, 'ops', (), 'vSRX firewall',
                        pending=pending)


def _port(pid, enabled=False, owner='compute:nova', tags=()):
    return {'id': pid, 'name': pid, 'project_id': 'p',
            'port_security_enabled': enabled, 'device_owner': owner,
            'tags': list(tags)}


FUTURE = _record(TODAY + datetime.timedelta(days=10))
TODAY_DUE = _record(TODAY)
PAST = _record(TODAY - datetime.timedelta(days=3))
PENDING = _record(TODAY + datetime.timedelta(days=10), pending=True)
PENDING_PAST = _record(TODAY - datetime.timedelta(days=3), pending=True)

PORTS = [
    _port('undocumented'),
    _port('documented', tags=[FUTURE]),
    _port('due-today', tags=[TODAY_DUE]),
    _port('overdue', tags=[PAST, 'other-tag']),
    _port('malformed', tags=['xloud-psx:v1 nonsense']),
    _port('unconfirmed', tags=[PENDING]),
    _port('unconfirmed-overdue', tags=[PENDING_PAST]),
    _port('documented-and-pending', tags=[PENDING, FUTURE]),
    _port('enabled', enabled=True),
    _port('enabled-stale-record', enabled=True, tags=[PAST]),
    _port('unknown-attr', enabled=None),
    _port('router-if', owner='network:router_interface'),
    _port('dhcp', owner='network:dhcp'),
    _port('fip', owner='network:floatingip'),
    _port('distributed', owner='network:distributed'),
    _port('no-owner', owner=''),
    _port('lb', owner='Octavia'),
]


ENDORSED = endorse.of_records({'ports': PORTS})


def test_port_security_disabled():
    found = run('port-security-disabled', ports=PORTS,
                endorsements=ENDORSED)
    assert ids(found) == ['lb', 'malformed', 'no-owner', 'unconfirmed',
                          'unconfirmed-overdue', 'undocumented']
    by_id = {f.resource_id: f for f in found}
    assert 'malformed' in by_id['malformed'].detail
    assert by_id['unconfirmed'].detail == (
        'port security off, exception record never confirmed '
        '(compute:nova)')
    assert by_id['undocumented'].detail.startswith(
        'port security off, no exception record (')
    assert by_id['undocumented'].remediation == (
        'openstack port security enable undocumented')
    assert by_id['undocumented'].severity == 'high'


def test_overdue():
    found = run('port-security-exception-overdue', ports=PORTS,
                endorsements=ENDORSED)
    assert ids(found) == ['overdue']
    [f] = found
    assert f.severity == 'medium'
    assert '3 days ago' in f.detail and 'vSRX firewall' in f.detail
    assert f.remediation == (
        "openstack port security disable overdue --renew --reason "
        "'vSRX firewall' --review-in 90")


@pytest.mark.parametrize('check', ['port-security-disabled',
                                   'port-security-exception-overdue'])
def test_no_ports_no_findings(check):
    assert run(check, ports=[]) == []


def test_a_record_no_admin_endorsed_documents_nothing():
    """A member can write a record on its own port (attack 2 of issue
    18): without an endorsement in Keystone it documents nothing."""
    found = {f.resource_id: f for f in run(
        'port-security-disabled', ports=PORTS, endorsements={})}
    for pid in ('documented', 'due-today', 'overdue',
                'documented-and-pending'):
        assert found[pid].detail == (
            'port security off, exception recorded by ops, not approved '
            'by an admin (compute:nova)')
    assert run('port-security-exception-overdue', ports=PORTS,
               endorsements={}) == []
    # an endorsement of another port's record, or of another project's,
    # is not this one's
    moved = {'p': {rec.digest('ports', 'other', FUTURE): 'admin'},
             'q': {rec.digest('ports', 'documented', FUTURE): 'admin'}}
    moved = {p: {d: (rec.Endorsement(by, ''),) for d, by in m.items()}
             for p, m in moved.items()}
    found = {f.resource_id for f in run(
        'port-security-disabled', ports=PORTS, endorsements=moved)}
    assert 'documented' in found
