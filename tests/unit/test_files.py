"""files: what a user names is read bounded, never waited on, distrusted."""

import os
import signal

import pytest

from xloudclient.audit import baseline
from xloudclient.audit import settings
from xloudclient import files
from xloudclient.harden import default_group_restore as restoring


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
    lambda p: restoring.load_backup(p),
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
