"""What a restrict backup may hold: its sources, its entries and their
replacements, each refused in one line naming the entry; an address
group backup taken and restored; the other command's backups not taken
for a restrict's."""

import pytest

from tests.unit.harden import restrict_cases as base
from xloudclient.harden import restrict
from xloudclient.harden import restrict_restore
from xloudclient import harden


def _refused(tmp_path, change):
    _, _, path = base._restricted(tmp_path, [base.SSH])
    base._edited(path, change)
    with pytest.raises(harden.Refused) as err:
        base._load(path)
    assert str(err.value).startswith(path + ' ')
    assert str(err.value).endswith(': refusing it, nothing was changed')
    return str(err.value)[len(path) + 1:-len(
        ': refusing it, nothing was changed')]


def _replacement(d, entry=0, **kw):
    d['rules'][entry]['replacements'][0].update(kw)


@pytest.mark.parametrize('change', [
    lambda d: d['sources'].update(prefixes=['10.0.0.0/8']),
    lambda d: d['sources'].update(prefixes={'4': '10.0.0.0/8'}),
    lambda d: d['sources'].update(prefixes={'4': [8]}),
    lambda d: d['sources'].update(address_group_id=5),
])
def test_damaged_sources_are_refused(tmp_path, change):
    assert _refused(tmp_path, change) == 'has damaged sources'


@pytest.mark.parametrize('change, why', [
    (lambda d: d['rules'].__setitem__(0, 5),
     'entry 1 is not an object with a rule'),
    (lambda d: d['rules'][1].update(rule=[]),
     'entry 2 is not an object with a rule'),
    (lambda d: _replacement(d, 1, id=5),
     'entry 2 has a replacement that is not an object with an id'),
    (lambda d: _replacement(d, 0, created='yes'),
     'entry 1 has a replacement that is not an object with an id'),
    (lambda d: d['rules'][0].update(replacements=[7]),
     'entry 1 has a replacement that is not an object with an id'),
    (lambda d: _replacement(d, 0, remote_ip_prefix=None,
                            remote_address_group_id='ag-world'),
     'entry 1 has a replacement from outside the backup\'s sources'),
])
def test_a_damaged_entry_is_refused_by_its_number(tmp_path, change, why):
    assert _refused(tmp_path, change) == why


def test_a_world_open_prefix_written_with_host_bits_is_taken(tmp_path):
    _, _, path = base._restricted(tmp_path, [base.SSH])
    base._edited(path, lambda d: d['rules'][0]['rule'].update(
        remote_ip_prefix='1.2.3.4/0'))
    assert base._load(path)['rules'][0]['rule']['remote_ip_prefix'] == \
        '1.2.3.4/0'


def test_only_a_restrict_backup_is_a_restrict_backup(tmp_path):
    _, _, path = base._restricted(tmp_path, [base.SSH])
    data = base._load(path)
    assert restrict_restore.is_ours(data)
    assert not restrict_restore.is_ours(dict(
        data, format='xloudclient-default-sg-backup'))
    assert not restrict_restore.is_ours([data])


def _ag_restricted(tmp_path):
    """ssh4 restricted to address group 'bastions' of its project."""
    cloud = base._cloud([base._rule('ssh4')])
    ag = {'id': 'ag-b', 'name': 'bastions', 'project_id': 'pa',
          'addresses': ['10.1.0.0/16']}
    cloud.data['address-groups'].append(ag)
    before = base._shapes(cloud)
    p = base._plan_of(cloud, [base.SSH], restrict.address_group_sources(ag))
    path = str(tmp_path / 'b.json')
    rows, _ = restrict.apply(cloud, p, path, base.NOW)
    assert [r.action for r in rows] == ['replaced']
    return cloud, before, path


def test_an_address_group_backup_is_taken_and_restored(tmp_path):
    cloud, before, path = _ag_restricted(tmp_path)
    data = base._load(path)
    assert data['sources']['address_group_id'] == 'ag-b'
    [row] = restrict_restore.restore(cloud, data, path)
    assert (row.action, row.failed) == (
        'restored; 1 restricted rule(s) deleted', False)
    assert base._shapes(cloud) == before


def test_an_address_group_backup_naming_another_group_is_refused(tmp_path):
    _, _, path = _ag_restricted(tmp_path)
    base._edited(path, lambda d: _replacement(
        d, 0, remote_address_group_id='ag-world'))
    with pytest.raises(harden.Refused, match='entry 1 has a '
                       'replacement from outside the backup\'s sources'):
        base._load(path)


def test_a_gone_replacement_does_not_hide_a_foreign_one_after_it(tmp_path):
    cloud, _, path = base._restricted(tmp_path, [base.SSH])
    # ssh6's replacement list: one gone, then rule https (not a copy)
    base._edited(path, lambda d: d['rules'][1].update(replacements=[
        {'id': 'gone', 'created': True, 'remote_ip_prefix': 'fd00::/8'},
        {'id': 'https', 'created': True, 'remote_ip_prefix': 'fd00::/8'}]))
    with pytest.raises(harden.Refused) as err:
        restrict_restore.restore(cloud, base._load(path), path)
    assert str(err.value) == (
        '%s names rule https as the restricted copy of rule ssh6, but it '
        'is not: refusing it, nothing was changed' % path)
