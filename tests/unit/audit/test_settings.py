import pytest

from xloudclient.audit import settings


def test_defaults_cover_the_catalog_list():
    names = {p[0] for p in settings.DEFAULT_SENSITIVE_PORTS}
    assert {'rdp', 'telnet', 'ftp', 'winrm', 'vnc', 'mysql', 'postgresql',
            'mssql', 'oracle', 'mongodb', 'redis', 'memcached',
            'elasticsearch', 'docker', 'kubernetes-api', 'kubelet',
            'etcd'} <= names


@pytest.mark.parametrize('text, expected', [
    ('grafana=3000', ('grafana', 'tcp', 3000, 3000)),
    ('syslog=514/udp', ('syslog', 'udp', 514, 514)),
    ('range=8000-8080/both', ('range', 'both', 8000, 8080)),
])
def test_parse_option(text, expected):
    assert settings.parse_option(text) == expected


@pytest.mark.parametrize('text', ['3000', 'x=', 'x=0', 'x=70000',
                                  'x=90-80', 'x=80/icmp', '=80'])
def test_parse_option_errors(text):
    with pytest.raises(settings.SettingsError):
        settings.parse_option(text)


def test_config_file_and_options(tmp_path):
    path = tmp_path / 'audit.ini'
    path.write_text('[sensitive-ports]\ngrafana = 3000\nrdp = 3390\n'
                    '[allowed-address-pairs]\nipv4-max-prefix = 28\n')
    result = settings.load(str(path), [('kafka', 'tcp', 9092, 9092)])
    ports = {p[0]: p for p in result.sensitive_ports}
    assert ports['grafana'] == ('grafana', 'tcp', 3000, 3000)
    assert ports['rdp'] == ('rdp', 'tcp', 3390, 3390)   # overridden
    assert 'kafka' in ports and 'mysql' in ports
    assert result.ipv4_max_prefix == 28 and result.ipv6_max_prefix == 64


def test_a_built_in_service_turned_off_in_the_file_is_not_sensitive(
        tmp_path):
    path = tmp_path / 'audit.ini'
    path.write_text('[sensitive-ports]\ndns = off\nsmtp = OFF\n'
                    'nothing-like-it = off\n')
    names = [p[0] for p in settings.load(str(path)).sensitive_ports]
    assert names == [p[0] for p in settings.DEFAULT_SENSITIVE_PORTS
                     if p[0] not in ('dns', 'smtp')]


@pytest.mark.parametrize('content', [
    '[sensitive-ports]\nbad = nope\n',
    '[allowed-address-pairs]\nipv4-max-prefix = 40\n',
    '[allowed-address-pairs]\nipv6-max-prefix = x\n',
    '[quotas]\nports = -1\n', '[quotas]\nports = lots\n',
    '[quotas]\nports = 99999999999\n', '[quotas]\nport = 5\n',
    'no section header\n'])
def test_bad_config(tmp_path, content):
    path = tmp_path / 'audit.ini'
    path.write_text(content)
    with pytest.raises(settings.SettingsError):
        settings.load(str(path))


def test_missing_explicit_config_is_an_error(tmp_path):
    with pytest.raises(settings.SettingsError, match='cannot read'):
        settings.load(str(tmp_path / 'missing.ini'))


def test_default_config_location_is_optional(tmp_path, monkeypatch):
    monkeypatch.setenv('XDG_CONFIG_HOME', str(tmp_path))
    assert settings.load().ipv4_max_prefix == 24
    (tmp_path / 'xloudclient').mkdir()
    (tmp_path / 'xloudclient' / 'audit.ini').write_text(
        '[allowed-address-pairs]\nipv4-max-prefix = 20\n')
    assert settings.load().ipv4_max_prefix == 20


def test_quota_ceilings_from_the_file(tmp_path):
    path = tmp_path / 'audit.ini'
    path.write_text('[quotas]\nports = 500\nfloating-ips = 0\n')
    assert settings.load(str(path)).quota_ceilings == {
        'port': 500, 'floatingip': 0}
    assert settings.Settings().quota_ceilings == {}
