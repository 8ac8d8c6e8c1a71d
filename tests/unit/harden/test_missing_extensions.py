"""A changing command on a cloud without the extension it needs refuses
before its first write, in one line that names the extension."""

import datetime

import pytest

from tests.unit import run_contexts
from tests.unit.clouds import FakeNeutron
from tests.unit.harden import port_security_cases as ps_base
from tests.unit.harden import vip_cases as vip_base
from xloudclient.cloud import neutron
from xloudclient.harden import default_group
from xloudclient.harden import port_security as ps
from xloudclient.harden import vip
from xloudclient import harden

WRITES = ('POST', 'PUT', 'DELETE')


def _writes(cloud):
    return [(m, p) for m, p in cloud.log if m in WRITES]


def _without_pairs():
    cloud = vip_base._cloud()
    for port in cloud.ports.values():
        del port['allowed_address_pairs']
    return cloud


def test_vip_add_refuses_before_its_reservation():
    cloud = _without_pairs()
    with pytest.raises(harden.Refused) as err:
        vip.plan_add(cloud, vip.AddRequest('10.0.0.100', ['a', 'b']))
    assert str(err.value) == (
        'port a has no allowed_address_pairs attribute: the cloud lacks the '
        'allowed-address-pairs extension; nothing was changed')
    assert _writes(cloud) == []


def test_vip_remove_refuses_too():
    cloud = _without_pairs()
    with pytest.raises(harden.Refused, match='lacks the allowed-address-pairs '
                       'extension; nothing was changed'):
        vip.plan_remove(cloud, vip.RemoveRequest('10.0.0.100', ['a']))
    assert _writes(cloud) == []


def test_vip_list_says_what_the_cloud_lacks_instead_of_an_empty_table():
    with pytest.raises(harden.Refused, match='^the cloud lacks the allowed-'
                       'address-pairs extension: no port holds or can hold '
                       'a VIP$'):
        vip.read_vips(_without_pairs())
    assert vip.read_vips(vip_base._cloud())[0] == []


@pytest.mark.parametrize('run', [
    lambda c: run_contexts.disable(c, 'p1', 'firewall appliance',
                                   datetime.date(2027, 1, 1), 'admin'),
    lambda c: ps.enable(c, 'p1')])
def test_port_security_refuses_without_the_attribute(run):
    cloud = ps_base._cloud()
    del cloud.ports['p1']['port_security_enabled']
    with pytest.raises(harden.Refused, match='the cloud lacks the '
                       'port-security extension'):
        run(cloud)
    assert _writes(cloud) == []


def test_a_missing_collection_names_its_extension():
    cloud = FakeNeutron(security_groups=[])
    cloud.fail['/security-groups'] = 404
    with pytest.raises(neutron.ListingError) as err:
        default_group.plan(cloud, ['p'])
    # a 404 on a collection is a missing extension or a wrong endpoint
    # (an endpoint without its /v2.0 after a failed version discovery):
    # both named
    assert str(err.value) == (
        'could not read security_groups: Neutron has no security-groups API '
        'here (HTTP 404): the cloud lacks the Neutron extension '
        'security-group, or the network endpoint is wrong')
    assert _writes(cloud) == []


def test_a_missing_item_is_still_not_found():
    cloud = FakeNeutron(ports=[])
    with pytest.raises(neutron.NotFound, match='could not be found'):
        neutron.get(cloud, 'ports', 'nope')


def test_restrict_refuses_on_a_cloud_without_security_groups():
    from tests.unit.harden import restrict_cases as base
    from xloudclient.harden import restrict

    inv = base._inv()
    inv.extensions = frozenset(['address-group'])
    with pytest.raises(harden.Refused, match='^the cloud lacks the '
                       'Neutron extension security-group: .*nothing was '
                       'changed$'):
        restrict.plan(inv, base.SETTINGS, [base.SSH], base.V4)
