"""Twins: identical rules that several Neutron workers let in at once."""

from xloudclient.cloud import twins


class Cloud:
    def __init__(self, items):
        self.items = list(items)
        self.deleted = []

    def delete(self, path, **kw):
        from tests.unit.clouds import FakeResponse
        rid = path.rsplit('/', 1)[1]
        self.deleted.append(rid)
        self.items = [i for i in self.items if i['id'] != rid]
        return FakeResponse(204, None)


def _like(a, b):
    return a['remote'] == b['remote']


def test_the_lowest_id_stays_and_every_other_twin_goes():
    cloud = Cloud([{'id': 'c', 'remote': 'x'}, {'id': 'a', 'remote': 'x'},
                   {'id': 'b', 'remote': 'x'}, {'id': '0', 'remote': 'y'}])
    mine = {'id': 'c', 'remote': 'x'}
    kept = twins.keep_one(cloud, 'security-group-rules', mine, _like,
                          lambda: list(cloud.items))
    assert kept['id'] == 'a'
    assert sorted(cloud.deleted) == ['b', 'c']
    assert sorted(i['id'] for i in cloud.items) == ['0', 'a']


def test_without_twins_nothing_is_deleted_and_a_failed_read_changes_nothing():
    cloud = Cloud([{'id': 'b', 'remote': 'x'}])
    mine = {'id': 'b', 'remote': 'x'}
    assert twins.keep_one(cloud, 'r', mine, _like,
                          lambda: list(cloud.items)) is not None
    assert cloud.deleted == []

    def broken():
        raise ConnectionError('reset')
    assert twins.keep_one(cloud, 'r', mine, _like, broken) is mine
    assert cloud.deleted == []


def test_every_run_settles_on_the_same_rule_whatever_it_saw_first():
    # Run 1 saw only its own rule (b) and kept it; run 2 sees both: the
    # lowest (a, its own) stays and b goes, so the group holds one.
    cloud = Cloud([{'id': 'b', 'remote': 'x'}])
    first = twins.keep_one(cloud, 'r', {'id': 'b', 'remote': 'x'}, _like,
                           lambda: list(cloud.items))
    cloud.items.append({'id': 'a', 'remote': 'x'})
    second = twins.keep_one(cloud, 'r', {'id': 'a', 'remote': 'x'}, _like,
                            lambda: list(cloud.items))
    assert (first['id'], second['id']) == ('b', 'a')
    assert [i['id'] for i in cloud.items] == ['a']
