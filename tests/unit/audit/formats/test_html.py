import html5lib

from tests.unit.audit.formats import reports
from xloudclient.audit.formats import html

NS = {'h': 'http://www.w3.org/1999/xhtml'}


def _parse(text):
    parser = html5lib.HTMLParser(strict=True)   # raises on parse errors
    return parser.parse(text)


def _text(node):
    return ''.join(node.itertext())


def test_totals_match_the_findings():
    findings = [reports.finding(rid='r1'), reports.finding(rid='r2'),
                reports.finding(check='fip-unassociated', severity='low',
                                project='p2', rid='f1', name='203.0.113.7')]
    doc = _parse(html.render(reports.report(findings)))
    total = doc.find('.//h:p[@id="total"]', NS)
    assert total.get('data-count') == '3'
    assert _text(total) == '3 findings (2 high, 1 low)'
    bars = {t.get('data-severity'): _text(t)
            for t in doc.iterfind('.//{http://www.w3.org/2000/svg}text'
                                  '[@data-severity]')}
    assert bars == {'critical': '0', 'high': '2', 'medium': '0',
                    'low': '1', 'info': '0'}
    articles = doc.findall('.//h:article', NS)
    assert [a.get('data-check') for a in articles] == [
        'sg-ingress-ssh-from-world', 'sg-ingress-ssh-from-world',
        'fip-unassociated']
    # grouped by project: web-team's section, then p2's (no name)
    sections = doc.findall('.//h:section[@class="project"]', NS)
    assert [s.get('id') for s in sections] == ['project-p1', 'project-p2']
    assert _text(articles[0].find('.//h:pre', NS)) == (
        'openstack security group rule delete r1')


def test_no_external_resources_and_no_scripts():
    text = html.render(reports.report([reports.finding()]))
    doc = _parse(text)
    assert doc.findall('.//h:script', NS) == []
    assert doc.findall('.//h:link', NS) == []
    assert doc.findall('.//h:img', NS) == []
    for a in doc.iterfind('.//h:a', NS):
        assert a.get('href').startswith('#'), a.get('href')
    assert 'url(' not in text and '@import' not in text


def test_check_links_go_to_the_docs_when_configured():
    report = reports.report([reports.finding()])
    doc = _parse(html.render(report, 'https://docs.example.org/x/'))
    links = [a.get('href') for a in doc.iterfind('.//h:dd/h:a', NS)]
    assert 'https://docs.example.org/x/checks/sg-ingress-ssh-from-world.' \
        'html' in links


def test_special_characters_are_escaped_never_markup():
    evil = reports.finding(name=reports.EVIL, detail=reports.EVIL,
                           fix=reports.EVIL)
    text = html.render(reports.report([evil], names={'p1': reports.EVIL}))
    doc = _parse(text)
    assert doc.findall('.//h:script', NS) == []
    assert '<script>' not in text and '\x00' not in text
    [article] = doc.findall('.//h:article', NS)
    assert '<script>alert("x")</script>' in _text(article)


def test_unicode_and_an_empty_run():
    doc = _parse(html.render(reports.report(
        [reports.finding(name='Ωmega ✓')], names={'p1': 'プロジェクト'})))
    heading = doc.find('.//h:section[@class="project"]/h:h3', NS)
    assert 'プロジェクト' in _text(heading)
    empty = _parse(html.render(reports.report()))
    assert empty.find('.//h:p[@id="total"]', NS).get('data-count') == '0'
    assert 'No findings.' in _text(empty.find('.//h:section[@id="findings"]',
                                              NS))


def test_run_metadata_is_shown():
    doc = _parse(html.render(reports.report([reports.finding()], hidden=4,
                                            not_run={'fip-unassociated':
                                                     'no router'})))
    run = {_text(dt): _text(dd) for dt, dd in zip(
        doc.iterfind('.//h:dl[@class="run"]/h:dt', NS),
        doc.iterfind('.//h:dl[@class="run"]/h:dd', NS))}
    assert run['Cloud'] == 'http://keystone.example:5000/v3'
    assert run['Region'] == 'RegionOne'
    assert run['Hidden by a baseline'] == '4 findings'
    assert run['Not run'] == 'fip-unassociated: no router'
    assert run['Plugin'] == 'xloudclient 1.2.3'
    assert run['Started'] == '2026-11-28 09:30:00 UTC'


def test_accepted_findings_are_listed_with_reason_and_review_date():
    import datetime

    from xloudclient import records as rec

    decision = rec.parse_decision(rec.make_decision_tag(
        'sg-ingress-ssh-from-world', 'r9', datetime.date(2027, 1, 1),
        datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc),
        'ops', 'bastion <b>'))
    report = reports.report()
    report.accepted = [(reports.finding(rid='r9'), decision)]
    doc = _parse(html.render(report))
    [row] = doc.findall('.//h:table[@class="accepted"]/h:tbody/h:tr', NS)
    cells = [_text(td) for td in row.findall('h:td', NS)]
    assert cells[3:] == ['bastion <b>', 'ops', '2027-01-01']
    assert doc.findall('.//h:article', NS) == []
