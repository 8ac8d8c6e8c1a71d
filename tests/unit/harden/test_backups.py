"""backups: one writer and one reader for every changing command's
backup; a file is distrusted until its kind, version, shapes and digest
check out."""

import datetime
import hashlib
import json

import pytest

from xloudclient.harden import backups


def test_a_backup_keeps_the_digest_form_earlier_releases_wrote(tmp_path):
    # A default-group backup written before the writer was shared: its
    # digest is SHA-256 over [projects, rules, templates], compact and with
    # sorted keys; restore must still accept it.
    body = {'projects': [{'project_id': 'p', 'security_group_id': 'g'}],
            'rules': [{'id': 'r', 'security_group_id': 'g'}],
            'templates': ['t']}
    kind = backups.Kind('k', 'thing', 'k', 2, {},
                        ('projects', 'rules', 'templates'))
    path = kind.write(str(tmp_path / 'b.json'), body,
                      datetime.datetime(2026, 1, 2, 3, 4, 5))
    with open(path) as f:
        data = json.load(f)
    canonical = '[[{"project_id":"p","security_group_id":"g"}],' \
        '[{"id":"r","security_group_id":"g"}],["t"]]'
    assert data['digest'] == 'sha256:' + hashlib.sha256(
        canonical.encode()).hexdigest()
    assert (data['format'], data['version'], data['created']) == (
        'k', 2, '2026-01-02T03:04:05Z')
    assert {k: data[k] for k in body} == body


def _backup(**over):
    data = {'format': 'kind-x', 'version': 2, 'rules': [1], 'more': {}}
    data['digest'] = backups.digest(data, ('rules', 'more'))
    data.update(over)
    return data


def _problem(data, versions=(2,), digest_since=1):
    return backups.Kind('kind-x', 'thing', 'x', versions[-1],
                        {'rules': list, 'more': dict}, ('rules', 'more'),
                        versions[:-1], digest_since).problem(data)


def test_an_intact_backup_has_no_problem():
    assert _problem(_backup()) is None
    assert _problem(_backup(version=1), (1, 2), digest_since=2) is None


@pytest.mark.parametrize('data, problem', [
    ([], 'is not an xloudclient thing backup'),
    (_backup(format='kind-y'), 'is not an xloudclient thing backup'),
    (_backup(version='2'), "has backup version '2'; this client reads "
                           "version 2"),
    (_backup(version=True), 'has backup version True; this client reads '
                            'version 2'),
    (_backup(version=3), 'has backup version 3; this client reads '
                         'version 2'),
    (_backup(rules={}), 'is damaged (rules must be a list, more must be '
                        'an object)'),
    (_backup(more=[]), 'is damaged (rules must be a list, more must be '
                       'an object)'),
    (_backup(rules=[2]), 'has been changed since it was written (its '
                         'digest does not match)'),
    (_backup(digest=None), 'has been changed since it was written (its '
                           'digest does not match)'),
])
def test_each_problem_of_a_backup_in_one_phrase(data, problem):
    assert _problem(data) == problem


def test_versions_are_named_and_a_long_version_is_cut():
    assert _problem(_backup(version=9), (1, 2)) == (
        'has backup version 9; this client reads versions 1 and 2')
    long = _problem(_backup(version='v' * 100))
    assert long == "has backup version '%s...; this client reads " \
        "version 2" % ('v' * 36)


def test_a_version_before_digests_is_not_held_to_one():
    assert _problem(_backup(version=1, digest=None), (1, 2),
                    digest_since=2) is None
    assert _problem(_backup(digest=None), (1, 2), digest_since=2) == (
        'has been changed since it was written (its digest does not match)')
