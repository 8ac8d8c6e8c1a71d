import dataclasses

import pytest

from xloudclient.audit.finding import Finding
from xloudclient.audit.finding import severity_rank


def _finding(severity, check='c', rid='r'):
    return Finding(severity, check, 'network', rid, '', 'p', 'd', 'f')


def test_rank_order():
    ranks = [severity_rank(s) for s in
             ('info', 'low', 'medium', 'high', 'critical')]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5


def test_unknown_severity_refused():
    with pytest.raises(ValueError):
        _finding('severe')


def test_sort_most_severe_first():
    items = [_finding('low'), _finding('critical'), _finding('medium')]
    assert [f.severity for f in sorted(items, key=Finding.sort_key)] == [
        'critical', 'medium', 'low']


def test_made_is_the_finding_its_fields_make():
    fields = ('high', 'c', 'port', 'p1', 'web', 'proj', 'detail', 'cmd',
              'key', (('c', 'old', ''),), ('basis',))
    made, built = Finding.made(*fields), Finding(*fields)
    assert made == built and hash(made) == hash(built)
    assert dataclasses.asdict(made) == dataclasses.asdict(built)
    assert dataclasses.replace(made, detail='x').detail == 'x'
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.detail = 'changed'
    with pytest.raises(ValueError):
        Finding.made('severe', *fields[1:])
