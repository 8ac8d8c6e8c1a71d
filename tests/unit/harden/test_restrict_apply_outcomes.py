"""What a restrict reports, row by row and in full, when a delete is
refused, when a concurrent restore removes a replacement before the
read-back (created again, or not), and when the read-back itself fails;
and how one replacement's create judges a lost or failed answer."""

import pytest

from tests.unit import faults
from tests.unit.harden import restrict_cases as base
from xloudclient.cloud import neutron
from xloudclient.harden import restrict

RULES = '/security-group-rules'


def _rows(rows):
    return [(r.project_id, r.group_id, r.item, r.action, r.failed,
             r.made) for r in rows]


def _ssh(rules=None):
    """Group g1's two SSH rules to restrict: ssh4's replacement
    (10.0.0.0/8) is ssh-mgmt, there already; ssh6's is created."""
    cloud = base._cloud(rules)
    return cloud, base._plan_of(cloud, [base.SSH])


def _made(cloud, prefix='fd00::/8'):
    [rule] = [r['id'] for r in cloud.data['security-group-rules']
              if r['remote_ip_prefix'] == prefix]
    return rule


def _after_deleting(cloud, rule_id, then):
    """Run then() right after Neutron deleted rule_id (a concurrent
    command acting between this run's delete and its read-back)."""
    real = cloud.delete

    def delete(path, **kw):
        resp = real(path, **kw)
        if path == '%s/%s' % (RULES, rule_id):
            then()
        return resp
    cloud.delete = delete


def _remove(cloud, rule_id):
    cloud.data['security-group-rules'] = [
        r for r in cloud.data['security-group-rules'] if r['id'] != rule_id]


def test_a_refused_delete_keeps_both_rules_and_the_next_is_replaced(
        tmp_path):
    # the rules were written by an admin into project pa's group: rows
    # carry the group's project
    rules = [base._rule('ssh4', project_id='admin-project'),
             base._rule('ssh6', ethertype='IPv6', prefix='::/0',
                        project_id='admin-project'),
             base._rule('ssh-mgmt', prefix='10.0.0.0/8')]
    cloud, plan = _ssh(rules)
    cloud.deny.add(('DELETE', '%s/ssh4' % RULES))
    rows, _ = restrict.apply(cloud, plan, str(tmp_path / 'b.json'),
                             base.NOW)
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'failed: deleting rule ssh4: rule:delete '
         'denied; both rules are in place', True, ['ssh-mgmt']),
        ('pa', 'g1', 'ssh6', 'replaced', False, [_made(cloud)])]
    ids = {r['id'] for r in cloud.data['security-group-rules']}
    assert {'ssh4', 'ssh-mgmt', _made(cloud)} <= ids and 'ssh6' not in ids


def test_a_replacement_removed_before_the_read_back_is_created_again(
        tmp_path):
    cloud, plan = _ssh()
    _after_deleting(cloud, 'ssh6', lambda: _remove(cloud, 'ssh-mgmt'))
    rows, _ = restrict.apply(cloud, plan, str(tmp_path / 'b.json'),
                             base.NOW)
    again = _made(cloud, '10.0.0.0/8')
    assert again != 'ssh-mgmt'
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'replaced; a restricted rule removed '
         'meanwhile was created again', False, ['ssh-mgmt', again]),
        ('pa', 'g1', 'ssh6', 'replaced', False, [_made(cloud)])]


def test_a_replacement_removed_and_not_created_again_fails_its_row(
        tmp_path):
    cloud, plan = _ssh()

    def meanwhile():
        _remove(cloud, 'ssh-mgmt')
        cloud.deny.add(('POST', RULES))
    _after_deleting(cloud, 'ssh6', meanwhile)
    rows, _ = restrict.apply(cloud, plan, str(tmp_path / 'b.json'),
                             base.NOW)
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'failed: a restricted rule was removed '
         'meanwhile and not created again (creating the restricted rule: '
         'denied)', True, ['ssh-mgmt']),
        ('pa', 'g1', 'ssh6', 'replaced', False, [_made(cloud)])]
    assert restrict.failures(rows, ['openstack', 'x']).endswith(
        '`openstack x ssh4`')


def test_a_read_back_that_fails_says_so_on_the_rows_that_were_replaced(
        tmp_path):
    cloud, plan = _ssh()
    cloud.deny.add(('DELETE', '%s/ssh4' % RULES))
    # after the deletes, every read of the rules answers 403
    _after_deleting(cloud, 'ssh6', lambda: cloud.fail.update({RULES: 403}))
    rows, _ = restrict.apply(cloud, plan, str(tmp_path / 'b.json'),
                             base.NOW)
    assert _rows(rows) == [
        ('pa', 'g1', 'ssh4', 'failed: deleting rule ssh4: rule:delete '
         'denied; both rules are in place', True, ['ssh-mgmt']),
        ('pa', 'g1', 'ssh6', 'replaced; not read back (listing rules of '
         'security group g1: injected)', True, [_made(cloud)])]


def test_the_read_back_asks_for_each_group_once_and_checks_every_body():
    cloud, _ = _ssh()
    kept = restrict.Made('ssh-mgmt', False, dict(
        base._rule(None, prefix='10.0.0.0/8'), id=None))
    gone = dict(base._rule(None, prefix='10.7.0.0/16'), id=None)
    cloud.queries.clear()
    [(body, new_id)] = restrict.ensure_present(cloud, [kept.body, gone])
    assert body is gone and new_id == _made(cloud, '10.7.0.0/16')
    # the read back, then the look for twins of the rule it created
    # (cloud/twins.py)
    assert [q.get('security_group_id') for path, q in cloud.queries
            if path == RULES] == ['g1', 'g1']


def test_a_re_create_whose_answer_was_lost_is_the_rule_it_made():
    cloud, _ = _ssh()
    body = dict(base._rule(None, prefix='10.7.0.0/16'), id=None)
    # request 1 lists the group, request 2 creates: it lands, answers 500
    client = faults.FaultyClient(cloud, '500-after', 2)
    [(got, new_id)] = restrict.ensure_present(client, [body])
    assert got is body and new_id == _made(cloud, '10.7.0.0/16')


def test_a_create_that_failed_without_landing_is_tried_again():
    cloud, _ = _ssh()
    body = dict(base._rule(None, prefix='10.7.0.0/16'), id=None)
    made = restrict.create_replacement(
        faults.FaultyClient(cloud, '500', 1), body, frozenset())
    assert (made.rule_id, made.created) == (
        _made(cloud, '10.7.0.0/16'), True)
    # a lost answer judged from the fresh read: made by this run unless
    # the rule was known at plan time
    rid = made.rule_id
    _remove(cloud, rid)
    lost = restrict.create_replacement(
        faults.FaultyClient(cloud, 'timeout-after', 1), body,
        frozenset([_made(cloud, '10.0.0.0/8')]))
    assert lost.created is True and lost.rule_id == _made(
        cloud, '10.7.0.0/16')
    known = restrict.create_replacement(
        faults.FaultyClient(cloud, '500', 1), body,
        frozenset([lost.rule_id]))
    assert (known.rule_id, known.created) == (lost.rule_id, False)


def test_a_refused_read_after_a_failed_create_is_the_error_raised():
    cloud, _ = _ssh()
    body = dict(base._rule(None, prefix='10.7.0.0/16'), id=None)
    cloud.fail[RULES] = 403
    cloud.log.clear()
    client = faults.FaultyClient(cloud, '500', 1)
    with pytest.raises(Exception) as err:
        restrict.create_replacement(client, body, frozenset())
    assert neutron.is_refusal(err.value)
    assert neutron.describe(err.value) == (
        'listing rules of security group g1: injected')
    assert client.count == 2 and cloud.log == [('GET', RULES)]


def test_a_create_failing_every_time_gives_up_after_the_budget():
    cloud, _ = _ssh()
    body = dict(base._rule(None, prefix='10.7.0.0/16'), id=None)
    client = faults.FaultyClient(cloud, '503', methods=('post',))
    with pytest.raises(Exception) as err:
        restrict.create_replacement(client, body, frozenset())
    assert 'injected 503' in neutron.describe(err.value)
    assert [m for m, _ in cloud.log if m == 'POST'] == []
    assert client.count == 2 * neutron.MAX_ERRORS
