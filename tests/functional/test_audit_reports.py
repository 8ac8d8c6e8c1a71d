"""The audit as people and programs read it, through the real CLI against
the devcloud with the demo estate (tools/plant-demo, as `make demo`):
the table in a 120-column terminal, and every output format parsed with a
real parser carrying the same findings as `-f json`."""

import csv
import fcntl
import io
import json
import os
import pty
import select
import struct
import subprocess
import termios
import xml.etree.ElementTree as ET

import html5lib
from prometheus_client import parser as prom_parser
import pytest
import yaml

from tests.functional.conftest import OPENSTACK
from tests.functional.conftest import ROOT

AUDIT = ('network', 'harden', 'audit', '--all-projects')
PLANTED = (('port', 'demo-vrrp-port'), ('security group', 'demo-web'),
           ('subnet', 'demo-app-subnet'), ('network', 'demo-app-net'),
           ('network', 'demo-appliance-net'))


def _exists(cli, kind, name):
    found = cli.run(*kind.split(), 'list', '-f', 'value', '-c', 'Name',
                    check=False).stdout.split()
    return name in found


@pytest.fixture(scope='module')
def estate(devcloud, admin, demo):
    """The demo estate; what this fixture planted is removed afterwards
    (a demo estate planted before, by `make demo`, is left alone)."""
    before = {(k, n) for k, n in PLANTED if _exists(demo, k, n)}
    fips = set(demo.run('floating', 'ip', 'list', '-f', 'value', '-c',
                        'ID').stdout.split())
    env = dict(demo.env, PATH=os.path.dirname(OPENSTACK) + ':' +
               os.environ['PATH'], XLOUD_DEVCLOUD_DIR=devcloud)
    planted = subprocess.run([os.path.join(ROOT, 'tools', 'plant-demo')],
                             env=env, capture_output=True, text=True,
                             timeout=600)
    assert planted.returncode == 0, planted.stderr
    yield
    for kind, name in PLANTED:
        if (kind, name) not in before:
            demo.run(*kind.split(), 'delete', name, check=False)
    for fip in set(demo.run('floating', 'ip', 'list', '-f', 'value', '-c',
                            'ID').stdout.split()) - fips:
        demo.run('floating', 'ip', 'delete', fip, check=False)


@pytest.fixture(scope='module')
def findings(estate, admin):
    proc = admin.run(*AUDIT, '--fail-on', 'none', '-f', 'json')
    rows = json.loads(proc.stdout)
    assert len(rows) >= 5       # the demo estate's findings at least
    return rows


def _audit(admin, *fmt):
    proc = admin.run(*AUDIT, '--fail-on', 'none', *fmt)
    return proc.stdout


def _in_terminal(cli, args, columns):
    """stdout of the CLI in a pseudo-terminal `columns` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ,
                struct.pack('HHHH', 50, columns, 0, 0))
    proc = subprocess.Popen([OPENSTACK] + list(args), stdout=slave,
                            stderr=subprocess.DEVNULL, stdin=slave,
                            env=dict(cli.env, COLUMNS=str(columns),
                                     TERM='xterm'))
    os.close(slave)
    out = b''
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            proc.kill()
            raise AssertionError('no output in 120 s')
        try:
            chunk = os.read(master, 65536)
        except OSError:         # EIO: the other side closed
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    return out.decode('utf-8').replace('\r\n', '\n')


def _logical_rows(table):
    """[[cell text]] with wrapped lines joined by one space."""
    lines = [line for line in table.splitlines() if line.startswith('|')]
    header = [c.strip() for c in lines[0].strip('|').split('|')]
    rows = []
    for line in lines[1:]:
        cells = [c.strip() for c in line[1:-1].split('|')]
        if cells[0] or not rows:
            rows.append(cells)
        else:                                       # a wrapped line
            rows[-1] = [(a + ' ' + b).strip() if b else a
                        for a, b in zip(rows[-1], cells)]
    return header, rows


def test_the_table_fits_120_columns_with_names_and_whole_words(
        admin, findings):
    table = _in_terminal(admin, AUDIT + ('--fail-on', 'none'), 120)
    widths = [len(line) for line in table.splitlines()]
    assert max(widths) <= 120, table
    header, rows = _logical_rows(table)
    assert header == ['Severity', 'Check', 'Resource', 'Project', 'Detail']
    # Joining wrapped lines with one space gives back every cell exactly:
    # nothing was broken inside a word.
    expected = [[f['Severity'], f['Check'],
                 f['Resource Name'] or f['Resource ID'],
                 f['Project Name'] or f['Project'], f['Detail']]
                for f in findings]
    assert rows == expected
    projects = {r[3] for r in rows}
    assert {'demo', 'admin'} <= projects      # names, not IDs


def _same_findings(findings, ids):
    assert sorted(ids) == sorted(f['Resource ID'] for f in findings)


def test_yaml_csv_and_value_carry_the_json_findings(admin, findings):
    assert yaml.safe_load(_audit(admin, '-f', 'yaml')) == findings
    rows = list(csv.DictReader(io.StringIO(_audit(admin, '-f', 'csv'))))
    assert [r['Resource ID'] for r in rows] == [
        f['Resource ID'] for f in findings]
    assert rows[0]['Project Name'] == findings[0]['Project Name']
    values = _audit(admin, '-f', 'value', '-c', 'Resource ID').split()
    assert values == [f['Resource ID'] for f in findings]


def test_junit_parses_with_a_failure_per_finding(admin, findings):
    root = ET.fromstring(_audit(admin, '-f', 'junit').encode('utf-8'))
    failures = root.findall('.//testcase/failure')
    assert len(failures) == len(findings) == int(root.get('failures'))
    names = ' '.join(c.get('name') for c in root.iter('testcase'))
    for f in findings:
        assert f['Resource ID'] in names
    suites = {s.get('name') for s in root.iter('testsuite')}
    assert {f['Check'] for f in findings} <= suites


def test_openmetrics_parses_and_counts_the_findings(admin, findings):
    text = _audit(admin, '-f', 'openmetrics')
    counted = {}
    for family in prom_parser.text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == 'xloud_audit_findings':
                key = (s.labels['check'], s.labels['project_id'])
                counted[key] = counted.get(key, 0) + s.value
            if s.name == 'xloud_audit_last_success_timestamp_seconds':
                assert s.value > 1.7e9
    expected = {}
    for f in findings:
        key = (f['Check'], f['Project'])
        expected[key] = expected.get(key, 0) + 1
    assert counted == expected


def test_a_failed_audit_writes_no_metrics(admin, estate):
    proc = admin.run(*AUDIT, '-f', 'openmetrics', '--timeout', '5',
                     env={'OS_NETWORK_ENDPOINT_OVERRIDE':
                          'http://127.0.0.1:9/'}, check=False)
    assert proc.returncode == 1 and proc.stdout == ''
    assert 'audit failed' in proc.stderr


def test_html_parses_and_shows_the_json_findings(admin, findings):
    text = _audit(admin, '-f', 'html')
    doc = html5lib.HTMLParser(strict=True).parse(text)
    ns = {'h': 'http://www.w3.org/1999/xhtml'}
    total = doc.find('.//h:p[@id="total"]', ns)
    assert int(total.get('data-count')) == len(findings)
    articles = doc.findall('.//h:article', ns)
    assert sorted(a.get('data-check') for a in articles) == sorted(
        f['Check'] for f in findings)
    fixes = [''.join(a.find('.//h:pre', ns).itertext()) for a in articles]
    assert sorted(fixes) == sorted(f['Remediation'] for f in findings)


CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
BROWSER_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu',
                 '--disable-quic', '--no-first-run',
                 '--disable-background-networking',
                 '--disable-component-update', '--disable-sync',
                 '--window-size=1200,1600')


@pytest.fixture
def browser(tmp_path):
    """Debian's Chromium, headless, driven by its chromedriver. Without
    them (packages chromium and chromium-driver, which .ci/run installs)
    this test is skipped, and says so."""
    if not (os.access(CHROMIUM, os.X_OK) and
            os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip('browser check skipped: %s or %s missing (apt-get '
                    'install chromium chromium-driver)'
                    % (CHROMIUM, CHROMEDRIVER))
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in BROWSER_FLAGS + ('--user-data-dir=%s' % (tmp_path /
                                                         'profile'),):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_the_html_report_renders_in_chromium(admin, findings, browser,
                                             tmp_path):
    page = tmp_path / 'report.html'
    page.write_text(_audit(admin, '-f', 'html'))
    browser.get(page.as_uri())
    problems = [e for e in browser.get_log('browser')
                if e['level'] in ('SEVERE', 'WARNING')]
    assert problems == []
    total = browser.find_element('id', 'total')
    assert int(total.get_attribute('data-count')) == len(findings)
    shown = {e.get_attribute('data-severity'): int(e.text)
             for e in browser.find_elements('css selector',
                                            'svg text[data-severity]')}
    expected = {s: 0 for s in ('critical', 'high', 'medium', 'low', 'info')}
    for f in findings:
        expected[f['Severity']] += 1
    assert shown == expected
    visible = browser.find_elements('css selector', 'article.finding')
    assert len(visible) == len(findings)
    assert all(a.is_displayed() for a in visible)
    height = browser.execute_script(
        'return document.documentElement.scrollHeight')
    browser.set_window_size(1200, min(max(height, 800), 16000))
    shot = tmp_path / 'report.png'
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10000
    print('screenshot: %s' % shot)
