import xml.etree.ElementTree as ET

from tests.unit.audit.formats import reports
from xloudclient.audit.formats import junit


def _suites(text):
    root = ET.fromstring(text.encode('utf-8'))
    return root, {s.get('name'): s for s in root.iter('testsuite')}


def test_one_suite_per_check_failing_case_per_finding():
    two = [reports.finding(rid='r1'), reports.finding(rid='r2')]
    root, suites = _suites(junit.render(reports.report(two)))
    checks = [c.id for c in reports.report().checks]
    assert list(suites) == checks
    ssh = suites['sg-ingress-ssh-from-world']
    cases = ssh.findall('testcase')
    assert (ssh.get('tests'), ssh.get('failures')) == ('2', '2')
    assert [c.find('failure').get('type') for c in cases] == ['high'] * 2
    assert 'r1' in cases[0].get('name') and 'web-team' in cases[0].get(
        'name')
    assert 'rule delete r1' in cases[0].find('failure').text
    clean = suites['aap-any-address'].findall('testcase')
    assert len(clean) == 1 and clean[0].find('failure') is None
    assert root.get('failures') == '2'
    assert root.get('tests') == str(len(checks) - 1 + 2)


def test_a_check_not_run_is_skipped():
    report = reports.report(not_run={'fip-unassociated': 'no router ext'})
    _, suites = _suites(junit.render(report))
    [case] = suites['fip-unassociated'].findall('testcase')
    assert case.find('skipped').get('message') == 'no router ext'


def test_special_characters_are_escaped_and_control_characters_replaced():
    evil = reports.finding(name=reports.EVIL, detail=reports.EVIL,
                           fix=reports.EVIL)
    text = junit.render(reports.report([evil], names={'p1': reports.EVIL}))
    _, suites = _suites(text)               # parses: nothing injected
    [case] = suites['sg-ingress-ssh-from-world'].findall('testcase')
    assert '<script>' in case.get('name')  # as text, not as markup
    assert '<script>' not in text
    assert '\x00' not in text and '\x1b' not in text
    # shown as escapes, one line per field
    failure = case.find('failure').text.splitlines()
    assert failure[0].endswith('\\x00\\x1b ]]>') and len(failure) == 4


def test_unicode_names_and_an_empty_run():
    text = junit.render(reports.report(
        [reports.finding(name='Ωmega-Ünïcode ✓')],
        names={'p1': 'プロジェクト'}))
    _, suites = _suites(text)
    [case] = suites['sg-ingress-ssh-from-world'].findall('testcase')
    assert 'Ωmega-Ünïcode ✓' in case.get('name')
    assert 'プロジェクト' in case.get('name')
    root, suites = _suites(junit.render(reports.report()))
    assert root.get('failures') == '0'
    assert all(s.find('testcase/failure') is None for s in suites.values())


def test_accepted_findings_are_skipped_cases_with_their_reason():
    import datetime

    from xloudclient import records as rec

    decision = rec.parse_decision(rec.make_decision_tag(
        'sg-ingress-ssh-from-world', 'r9', datetime.date(2027, 1, 1),
        datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
        'ops', 'bastion'))
    report = reports.report([reports.finding(rid='r1')])
    report.accepted = [(reports.finding(rid='r9'), decision)]
    root, suites = _suites(junit.render(report))
    ssh = suites['sg-ingress-ssh-from-world']
    assert (ssh.get('tests'), ssh.get('failures'), ssh.get('skipped')) == (
        '2', '1', '1')
    [skipped] = ssh.findall('testcase/skipped')
    assert skipped.get('message') == 'accepted until 2027-01-01 by ops: ' \
        'bastion'
    assert root.get('skipped') == '1'
