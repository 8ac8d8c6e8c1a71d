"""Every fault kind at every request of `port vip add` and `remove`.

Afterwards the ports are as before, as after, or the command failed with
a message that names what is left and the command that finishes it; the
rerun converges to the after state.
"""

import pytest

from tests.unit import faults
from tests.unit.harden.vip_cases import _cloud
from xloudclient.harden import vip
from xloudclient import harden

ADDRESS = '10.0.0.100'


def _state(cloud):
    """Pairs per port, and the reservations (by name and address)."""
    pairs = {pid: sorted(p['ip_address']
                         for p in port.get('allowed_address_pairs') or ())
             for pid, port in cloud.ports.items()
             if port.get('device_owner') != vip.RESERVATION_OWNER}
    held = sorted((p['name'], p['fixed_ips'][0]['ip_address'])
                  for p in cloud.ports.values()
                  if p.get('device_owner') == vip.RESERVATION_OWNER)
    return pairs, held


def _add(client):
    plan = vip.plan_add(client, vip.AddRequest(ADDRESS, ['a', 'b', 'c']))
    return vip.apply_add(client, plan)


def _remove(client):
    plan = vip.plan_remove(client, vip.RemoveRequest(
        ADDRESS, all_ports=True, release=True))
    return vip.apply_remove(client, plan)


def _with_vip():
    cloud = _cloud()
    _add(cloud)
    return cloud


CASES = {'add': (_add, _cloud), 'remove': (_remove, _with_vip)}


@pytest.mark.parametrize('case', sorted(CASES))
def test_every_fault_at_every_request(case):
    run, make = CASES[case]
    tried, bad = faults.matrix(run, make, _state, harden.Refused,
                               'openstack port vip')
    print('vip %s: %d faults injected, %d correct outcomes'
          % (case, tried, tried - len(bad)))
    assert not bad, '%d of %d wrong, first: %s' % (len(bad), tried, bad[0])
