"""Audit settings: sensitive ports, prefix thresholds, the date of today.

Defaults live here; a config file (INI) and command-line options override
them::

    [sensitive-ports]
    # name = port[-port][/protocol]   (protocol: tcp, udp or both; default tcp)
    grafana = 3000
    syslog = 514/udp
    dns = off        # a built-in service this cloud serves to the world

    [allowed-address-pairs]
    ipv4-max-prefix = 24
    ipv6-max-prefix = 64

    [report]
    # where `-f html` links each check's documentation page
    docs-url = https://docs.example.org/xloudclient

    [quotas]
    # the most a project may have (quota-unlimited flags a quota above it;
    # without a ceiling only unlimited, -1, is flagged)
    ports = 500
    floating-ips = 20
"""

import configparser
import dataclasses
import datetime
import os
import re

from xloudclient import errors
from xloudclient import files

# (service, protocol, first port, last port); protocol tcp, udp or both.
# What peers flag when it is reachable from anywhere (Prowler's port
# checks and high-risk list, AWS Security Hub EC2.19, CIS), the UDP
# services US-CERT TA14-017A names for amplification, out-of-band
# management; doc/source/checks/sg-ingress-sensitive-from-world.rst says
# which source names each.
DEFAULT_SENSITIVE_PORTS = (
    ('qotd', 'udp', 17, 17),
    ('chargen', 'udp', 19, 19),
    ('ftp', 'tcp', 20, 21),
    ('telnet', 'tcp', 23, 23),
    ('smtp', 'tcp', 25, 25),
    ('dns', 'udp', 53, 53),
    ('tftp', 'udp', 69, 69),
    ('kerberos', 'both', 88, 88),
    ('pop3', 'tcp', 110, 110),
    ('rpcbind', 'both', 111, 111),
    ('ntp', 'udp', 123, 123),
    ('msrpc', 'tcp', 135, 135),
    ('netbios', 'both', 137, 139),
    ('imap', 'tcp', 143, 143),
    ('snmp', 'udp', 161, 162),
    ('ldap', 'both', 389, 389),
    ('smb', 'tcp', 445, 445),
    ('kpasswd', 'both', 464, 464),
    ('rip', 'udp', 520, 520),
    ('ipmi', 'udp', 623, 623),
    ('ldaps', 'tcp', 636, 636),
    ('kerberos-admin', 'tcp', 749, 750),
    ('mssql', 'tcp', 1433, 1433),
    ('mssql-monitor', 'both', 1434, 1434),
    ('oracle', 'tcp', 1521, 1521),
    ('ssdp', 'udp', 1900, 1900),
    ('nfs', 'both', 2049, 2049),
    ('docker', 'tcp', 2375, 2376),
    ('etcd', 'tcp', 2379, 2380),
    ('oracle-tls', 'tcp', 2483, 2484),
    ('dev-web', 'tcp', 3000, 3000),
    ('ard', 'udp', 3283, 3283),
    ('mysql', 'tcp', 3306, 3306),
    ('rdp', 'both', 3389, 3389),
    ('ws-discovery', 'udp', 3702, 3702),
    ('ahsp', 'tcp', 4333, 4333),
    ('python-web', 'tcp', 5000, 5000),
    ('mdns', 'udp', 5353, 5353),
    ('postgresql', 'tcp', 5432, 5432),
    ('fcgi-cp', 'tcp', 5500, 5500),
    ('kibana', 'tcp', 5601, 5601),
    ('coap', 'udp', 5683, 5683),
    ('vnc', 'tcp', 5900, 5903),
    ('winrm', 'tcp', 5985, 5986),
    ('redis', 'tcp', 6379, 6379),
    ('kubernetes-api', 'tcp', 6443, 6443),
    ('cassandra-jmx', 'tcp', 7199, 7199),
    ('http-alt', 'tcp', 8080, 8080),
    ('hadoop-yarn', 'tcp', 8088, 8088),
    ('cassandra-opscenter', 'tcp', 8888, 8888),
    ('cassandra', 'tcp', 9042, 9042),
    ('kafka', 'tcp', 9092, 9092),
    ('cassandra-thrift', 'tcp', 9160, 9160),
    ('elasticsearch', 'tcp', 9200, 9200),
    ('elasticsearch-transport', 'tcp', 9300, 9300),
    ('ubiquiti-discovery', 'udp', 10001, 10001),
    ('kubelet', 'tcp', 10250, 10250),
    ('memcached', 'both', 11211, 11211),
    ('intel-amt', 'tcp', 16992, 16995),
    ('mongodb', 'tcp', 27017, 27018),
)
SSH = ('ssh', 'tcp', 22, 22)

# Neutron's quotas the audit reads: (Neutron's key, the [quotas] key of
# the config file, `openstack quota set`'s option, in words).
QUOTAS = (
    ('port', 'ports', '--ports', 'ports'),
    ('floatingip', 'floating-ips', '--floating-ips', 'floating IPs'),
    ('security_group', 'security-groups', '--secgroups', 'security groups'),
    ('security_group_rule', 'security-group-rules', '--secgroup-rules',
     'security group rules'),
    ('network', 'networks', '--networks', 'networks'),
    ('router', 'routers', '--routers', 'routers'),
    ('rbac_policy', 'rbac-policies', '--rbac-policies', 'RBAC policies'),
)
MAX_QUOTA = 1 << 31

_SPEC = re.compile(r'^(?P<lo>\d+)(-(?P<hi>\d+))?(/(?P<proto>tcp|udp|both))?$')


class SettingsError(errors.Explained, ValueError):
    """A bad setting, explained in one line."""


@dataclasses.dataclass
class Settings:
    sensitive_ports: tuple = DEFAULT_SENSITIVE_PORTS
    ipv4_max_prefix: int = 24
    ipv6_max_prefix: int = 64
    today: datetime.date = dataclasses.field(
        default_factory=datetime.date.today)
    docs_url: str = ''
    # {Neutron's quota key: the most a project may have}
    quota_ceilings: dict = dataclasses.field(default_factory=dict)


def parse_port_spec(name, spec):
    """('name', proto, lo, hi) from 'port[-port][/proto]'."""
    match = _SPEC.match(spec.strip().lower())
    if not match or not name:
        raise SettingsError(
            'bad sensitive port %s=%s: expected name=port[-port][/tcp|udp|'
            'both]' % (name, spec))
    lo = int(match['lo'])
    hi = int(match['hi'] or lo)
    if not 1 <= lo <= hi <= 65535:
        raise SettingsError('bad port range in %s=%s' % (name, spec))
    return (name, match['proto'] or 'tcp', lo, hi)


def parse_option(text):
    """A --sensitive-port value: NAME=PORT[-PORT][/PROTO]."""
    name, sep, spec = text.partition('=')
    if not sep:
        raise SettingsError('--sensitive-port wants NAME=PORT[-PORT][/PROTO]'
                            ', not %r' % text)
    return parse_port_spec(name.strip(), spec)


def default_config_path():
    base = os.environ.get('XDG_CONFIG_HOME') or os.path.join(
        os.path.expanduser('~'), '.config')
    return os.path.join(base, 'xloudclient', 'audit.ini')


MAX_CONFIG_BYTES = 1 << 20
KNOWN_KEYS = {'allowed-address-pairs': {'ipv4-max-prefix',
                                        'ipv6-max-prefix'},
              'report': {'docs-url'},
              'quotas': {q[1] for q in QUOTAS}}
_URL = re.compile(r'^https?://[^\s"<>]{1,500}$')


def _refuse_unknown(parser, path):
    """A misspelt section or key is an error, not silently ignored."""
    for section in parser.sections():
        if section == 'sensitive-ports':
            continue                  # any service name is a key there
        if section not in KNOWN_KEYS:
            raise SettingsError(
                'config file %s: unknown section [%s] (known: %s)' % (
                    path, section, ', '.join(
                        ['sensitive-ports'] + sorted(KNOWN_KEYS))))
        for key in parser.options(section):
            if key not in KNOWN_KEYS[section]:
                raise SettingsError(
                    'config file %s: unknown key %r in [%s] (known: %s)'
                    % (path, key, section,
                       ', '.join(sorted(KNOWN_KEYS[section]))))


def _apply_file(settings, path):
    """The config file's settings over the defaults; SettingsError naming
    the file, [section] and key of a bad one."""
    # No interpolation: a "%" in a value is a character, not syntax.
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(files.read_text(path, MAX_CONFIG_BYTES,
                                           'config file'), path)
    except files.FileError as e:
        raise SettingsError(str(e))
    except configparser.Error as e:
        raise SettingsError('cannot read config file %s: %s'
                            % (path, str(e).splitlines()[0]))
    _refuse_unknown(parser, path)
    if parser.has_section('sensitive-ports'):
        ports = dict((p[0], p) for p in settings.sensitive_ports)
        for name, spec in parser.items('sensitive-ports'):
            if spec.strip().lower() == 'off':   # a service meant to be open
                ports.pop(name, None)
                continue
            try:
                ports[name] = parse_port_spec(name, spec)
            except SettingsError as e:
                raise SettingsError('config file %s, [sensitive-ports] '
                                    '%s: %s' % (path, name, e))
        settings.sensitive_ports = tuple(ports.values())
    section = 'allowed-address-pairs'
    for key, attr, top in (('ipv4-max-prefix', 'ipv4_max_prefix', 32),
                           ('ipv6-max-prefix', 'ipv6_max_prefix', 128)):
        if parser.has_option(section, key):
            try:
                value = parser.getint(section, key)
            except ValueError:
                value = -1
            if not 1 <= value <= top:
                raise SettingsError('config file %s, [%s] %s: must be '
                                    '1-%d' % (path, section, key, top))
            setattr(settings, attr, value)
    _apply_quotas(settings, parser, path)
    if parser.has_option('report', 'docs-url'):
        url = parser.get('report', 'docs-url').strip()
        if not _URL.match(url):
            raise SettingsError('config file %s, [report] docs-url: '
                                'must be an http(s) URL' % path)
        settings.docs_url = url


def _apply_quotas(settings, parser, path):
    """The [quotas] ceilings of the file."""
    for key, name, _, _ in QUOTAS:
        if parser.has_option('quotas', name):
            try:
                value = parser.getint('quotas', name)
            except ValueError:
                value = -1
            if not 0 <= value < MAX_QUOTA:
                raise SettingsError('config file %s, [quotas] %s: must be '
                                    'a number from 0 to %d'
                                    % (path, name, MAX_QUOTA - 1))
            settings.quota_ceilings[key] = value


def load(config_path=None, extra_ports=(), today=None):
    """Settings from defaults, then the config file, then options."""
    settings = Settings()
    if today is not None:
        settings.today = today
    path = config_path or default_config_path()
    if config_path or os.path.exists(path):
        _apply_file(settings, path)
    if extra_ports:
        ports = dict((p[0], p) for p in settings.sensitive_ports)
        for spec in extra_ports:
            ports[spec[0]] = spec
        settings.sensitive_ports = tuple(ports.values())
    return settings
