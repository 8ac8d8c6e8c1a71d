"""files: what a user names is read bounded, never waited on, distrusted."""

import os
import signal

import pytest

from xloudclient.audit import baseline
from xloudclient.audit import settings
from xloudclient import files
from xloudclient.harden import default_group


@pytest.fixture
def deadline():
    """Fail, not hang, if a read blocks (a FIFO with no writer would)."""
    def timeout(*_):
        raise AssertionError('the read blocked')
    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize('read', [
    lambda p: files.read_text(p, 1024, 'config file'),
    lambda p: baseline.load(p),
    lambda p: settings.load(p),
    lambda p: default_group.load_backup(p),
])
def test_a_fifo_a_device_or_a_directory_is_refused_at_once(
        read, tmp_path, deadline):
    fifo = tmp_path / 'fifo'
    os.mkfifo(fifo)
    for path in (str(fifo), '/dev/zero', str(tmp_path)):
        with pytest.raises(Exception) as refused:
            read(path)
        text = str(refused.value)
        assert '\n' not in text
        assert 'not a regular file' in text or 'Is a directory' in text, \
            text


def test_a_file_over_the_limit_is_refused(tmp_path):
    big = tmp_path / 'big'
    big.write_bytes(b'x' * 2048)
    with pytest.raises(files.FileError, match='larger than 1 KiB'):
        files.read_text(str(big), 1024, 'baseline')


def test_a_percent_in_a_config_value_is_a_character(tmp_path):
    conf = tmp_path / 'audit.ini'
    conf.write_text('[report]\ndocs-url = https://docs.example/%7Eops/\n')
    assert settings.load(str(conf)).docs_url == 'https://docs.example/%7Eops/'


@pytest.mark.parametrize('text, where', [
    ('[sensitive-ports]\ngrafana = 99999\n',
     ', [sensitive-ports] grafana: '),
    ('[allowed-address-pairs]\nipv4-max-prefix = 40\n',
     ', [allowed-address-pairs] ipv4-max-prefix: must be 1-32'),
    ('[report]\ndocs-url = ftp://x\n', ', [report] docs-url: must be'),
])
def test_a_bad_value_names_the_file_the_section_and_the_key(
        tmp_path, text, where):
    conf = tmp_path / 'audit.ini'
    conf.write_text(text)
    with pytest.raises(settings.SettingsError) as refused:
        settings.load(str(conf))
    assert str(refused.value).startswith('config file %s%s' % (conf, where))


def test_a_backup_keeps_the_digest_form_earlier_releases_wrote(tmp_path):
    # A default-group backup written before the writer was shared: its
    # digest is SHA-256 over [projects, rules, templates], compact and with
    # sorted keys; restore must still accept it.
    import datetime
    import hashlib
    import json

    body = {'projects': [{'project_id': 'p', 'security_group_id': 'g'}],
            'rules': [{'id': 'r', 'security_group_id': 'g'}],
            'templates': ['t']}
    path = files.write_backup(str(tmp_path / 'b.json'), 'k', 2,
                              datetime.datetime(2026, 1, 2, 3, 4, 5), body)
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
    data['digest'] = files.backup_digest(data, ('rules', 'more'))
    data.update(over)
    return data


def _problem(data, versions=(2,), digest_since=1):
    return files.backup_problem(data, 'kind-x', 'thing',
                                {'rules': list, 'more': dict}, versions,
                                ('rules', 'more'), digest_since)


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
