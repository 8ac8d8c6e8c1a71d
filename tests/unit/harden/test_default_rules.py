"""harden/default_rules.py: the templates the check reports, deleted after
a backup; a backup distrusted; a restore that puts back only what is
missing."""

import datetime
import json

import pytest

from tests.unit.clouds import FakeNeutron
from xloudclient.audit import settings as settings_mod
from xloudclient import harden
from xloudclient.harden import backups
from xloudclient.harden import default_rules

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.timezone.utc)
TEMPLATES = 'default-security-group-rules'


def _template(tid, **kw):
    return dict({'id': tid, 'direction': 'ingress', 'ethertype': 'IPv4',
                 'protocol': 'tcp', 'port_range_min': 22,
                 'port_range_max': 22, 'remote_ip_prefix': '0.0.0.0/0',
                 'remote_group_id': None, 'remote_address_group_id': None,
                 'description': 'ops', 'used_in_default_sg': True,
                 'used_in_non_default_sg': False}, **kw)


def _cloud():
    return FakeNeutron(
        extensions=['security-group', 'security-groups-default-rules'],
        default_security_group_rules=[
            _template('ssh'),
            _template('any6', ethertype='IPv6', protocol=None,
                      port_range_min=None, port_range_max=None,
                      remote_ip_prefix='::/0', used_in_non_default_sg=True),
            _template('bastion', remote_ip_prefix='192.0.2.0/24'),
            _template('https', port_range_min=443, port_range_max=443),
            _template('parent', remote_ip_prefix=None, protocol=None,
                      port_range_min=None, port_range_max=None,
                      remote_group_id='PARENT'),
            _template('egress', direction='egress', protocol=None,
                      port_range_min=None, port_range_max=None),
            _template('unused', used_in_default_sg=False)])


def _ids(cloud):
    return sorted(t['id'] for t in cloud.data[TEMPLATES])


def _plan(cloud, *ids):
    return default_rules.plan(cloud, settings_mod.Settings(), ids)


def test_plan_is_what_the_check_reports():
    cloud = _cloud()
    plan = _plan(cloud)
    # the extensions read once: for the refusal, and then for the fetch
    assert [p for _, p in cloud.log].count('/extensions') == 1
    assert [e['id'] for e in plan.entries] == ['any6', 'ssh']
    assert plan.details['ssh'].endswith('open to anywhere for ssh')
    assert [e['id'] for e in _plan(_cloud(), 'ssh').entries] == ['ssh']


@pytest.mark.parametrize('named, said', [
    ('nope', 'no default security group rule nope: nothing was changed'),
    ('bastion', 'default security group rule bastion lets nothing '
                'sensitive in from anywhere'),
    ('parent', 'the check sg-template-from-world does not report it')])
def test_a_named_entry_not_reported_is_refused(named, said):
    cloud = _cloud()
    with pytest.raises(harden.Refused, match=said):
        _plan(cloud, 'ssh', named)
    assert not [m for m, _ in cloud.log if m != 'GET']


@pytest.mark.parametrize('lacking', ['security-group',
                                     'security-groups-default-rules'])
def test_a_cloud_without_templates_is_refused_before_a_list(lacking):
    cloud = _cloud()
    cloud.extensions.remove(lacking)
    with pytest.raises(harden.Refused,
                       match='lacks the Neutron extension %s' % lacking):
        _plan(cloud)
    assert [p for _, p in cloud.log] == ['/extensions']


def test_apply_deletes_exactly_the_plan_then_finds_them_gone():
    cloud = _cloud()
    plan = _plan(cloud)
    rows = default_rules.apply(cloud, plan)
    assert [(r.item, r.action) for r in rows] == [
        ('template:any6', 'deleted'), ('template:ssh', 'deleted')]
    assert _ids(cloud) == ['bastion', 'egress', 'https', 'parent', 'unused']
    rows = default_rules.apply(cloud, plan)      # a concurrent run's view
    assert [r.action for r in rows] == ['already gone'] * 2
    assert _plan(cloud).entries == []


def test_a_failed_delete_is_reported_and_the_rest_goes_on():
    cloud = _cloud()
    cloud.deny.add(('DELETE', '/%s/any6' % TEMPLATES))
    rows = default_rules.apply(cloud, _plan(cloud))
    assert [(r.item, r.failed) for r in rows] == [
        ('template:any6', True), ('template:ssh', False)]
    assert rows[0].action.startswith('failed: ')
    assert 'any6' in _ids(cloud) and 'ssh' not in _ids(cloud)


def test_dry_run_rows_change_nothing():
    cloud = _cloud()
    rows = default_rules.would(_plan(cloud))
    assert [(r.item, r.action) for r in rows] == [
        ('template:any6', 'would delete'), ('template:ssh', 'would delete')]
    assert not [m for m, _ in cloud.log if m != 'GET']


def _backup(tmp_path, cloud):
    plan = _plan(cloud)
    path = default_rules.BACKUP.write(
        str(tmp_path / 'b.json'), default_rules.backup_body(plan), NOW)
    default_rules.apply(cloud, plan)
    return path


def test_restore_puts_back_what_is_missing_with_its_fields(tmp_path):
    cloud = _cloud()
    before = {t['id']: t for t in cloud.data[TEMPLATES]}
    path = _backup(tmp_path, cloud)
    data = default_rules.check_backup(backups.read(path), path)
    assert [r.action for r in default_rules.restore(
        cloud, data, dry_run=True)] == ['would restore'] * 2
    rows = default_rules.restore(cloud, data)
    assert all(r.action.startswith('restored as ') for r in rows), rows
    keys = default_rules.CREATE_KEYS
    made = sorted(tuple(t.get(k) for k in keys) for t in cloud.data[TEMPLATES]
                  if t['id'] not in before)
    assert made == sorted(tuple(before[i].get(k) for k in keys)
                          for i in ('ssh', 'any6'))
    assert [r.action for r in default_rules.restore(cloud, data)] == [
        'already present'] * 2


def test_restore_that_cannot_list_changes_nothing(tmp_path):
    cloud = _cloud()
    path = _backup(tmp_path, cloud)
    data = default_rules.check_backup(backups.read(path), path)
    cloud.fail['/' + TEMPLATES] = 503
    rows = default_rules.restore(cloud, data)
    assert all(r.failed for r in rows) and len(rows) == 2
    assert not [m for m, _ in cloud.log if m == 'POST']


def _rewritten(path, change):
    with open(path) as f:
        data = json.load(f)
    change(data['templates'][0])
    data['digest'] = backups.digest(data, default_rules.BACKUP.digested)
    return data


@pytest.mark.parametrize('change, said', [
    (lambda e: e.update(remote_ip_prefix='10.0.0.0/8'), 'not anywhere'),
    (lambda e: e.update(remote_group_id='PARENT'), 'has a remote group'),
    (lambda e: e.update(direction='egress'), 'is not an IPv4 or IPv6'),
    (lambda e: e.update(used_in_default_sg=False,
                        used_in_non_default_sg=False), 'used in no new'),
    (lambda e: e.update(port_range_max=70000), 'not a port number'),
    (lambda e: e.update(description='x' * 300), 'description'),
    (lambda e: e.update(remote_address_group_id=['ag']), 'address group'),
    (lambda e: e.clear(), 'has no id')])
def test_a_backup_holding_anything_else_is_refused(tmp_path, change, said):
    path = _backup(tmp_path, _cloud())
    with pytest.raises(harden.Refused, match=said):
        default_rules.check_backup(_rewritten(path, change), path)


def test_an_edited_backup_is_refused(tmp_path):
    path = _backup(tmp_path, _cloud())
    with open(path) as f:
        data = json.load(f)
    data['templates'][0]['port_range_min'] = 21
    with pytest.raises(harden.Refused, match='digest does not match'):
        default_rules.check_backup(data, path)
    assert default_rules.is_ours(data)
    assert not default_rules.is_ours({'format': 'something else'})
