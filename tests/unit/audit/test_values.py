"""audit/values.py: protocols by Neutron's table, prefixes by netaddr."""

import pytest

from xloudclient.audit import values


@pytest.mark.parametrize('value, number', [
    (None, None), ('any', None), ('ANY', None), ('0', 0), ('hopopt', 0),
    ('ip', 0), ('tcp', 6), ('TCP', 6), ('6', 6), (6, 6), ('06', 6),
    ('udp', 17), ('17', 17), ('icmpv6', 58), ('ipv6-icmp', 58),
    ('255', 255), ('vrrp', 112)])
def test_protocols_read_as_neutron_reads_them(value, number):
    assert values.protocol(value) == number


@pytest.mark.parametrize('value', [
    '256', '-1', 'tcp6', '', ' 6', '6 ', '+6', '1_7', '\u0666', 'icmp6',
    True, 6.0, ['tcp'], 'x' * 100])
def test_other_protocols_are_unreadable(value):
    with pytest.raises(values.Unreadable, match='protocol'):
        values.protocol(value)


@pytest.mark.parametrize('value, any_', [
    (None, True), ('any', True), ('0', True), ('hopopt', True),
    ('IP', True), ('tcp', False), ('58', False), ('256', False)])
def test_any_protocol_is_protocol_zero_by_every_name(value, any_):
    assert values.is_any_protocol(value) is any_


@pytest.mark.parametrize('value, length, top', [
    ('10.0.0.5', 32, 32), ('10.0.0.1/8', 8, 32), ('0.0.0.0/0', 0, 32),
    ('FD00::/ffff::', 16, 128), ('fd00::/+8', 8, 128),
    ('::ffff:10.0.0.1', 128, 128), ('2001:DB8::/064', 64, 128)])
def test_prefixes_as_netaddr_reads_them(value, length, top):
    assert values.prefix_len(value) == (length, top)


@pytest.mark.parametrize('value', [
    'not an address', '', ' 10.0.0.0/8', '10.0.0.0/8 ', '10.0.0.0/33',
    None, 42, '::/129'])
def test_other_prefixes_are_unreadable(value):
    with pytest.raises(values.Unreadable, match='not a prefix'):
        values.network(value)


def test_a_text_is_read_once_and_an_unreadable_one_every_time():
    values._parsed.cache_clear()
    first = values.network('10.0.0.0/8')
    assert values.network('10.0.0.0/8') is first
    assert values._parsed.cache_info().hits == 1
    for _ in range(2):
        with pytest.raises(values.Unreadable, match='not a prefix'):
            values.network('10.0.0.0/33')
    assert values._parsed.cache_info().currsize == 1
    # the same network, written another way, is read as Neutron reads it
    assert values.network('FD00::/ffff::').prefixlen == 16
