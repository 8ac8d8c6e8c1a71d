"""Every check in the catalog has its documentation page."""

import os

from xloudclient.audit import catalog

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'doc', 'source', 'checks')


def test_every_check_has_a_page_in_the_index():
    with open(os.path.join(DOCS, 'index.rst')) as f:
        index = f.read().split()
    for chk in catalog.all_checks():
        path = os.path.join(DOCS, chk.id + '.rst')
        assert os.path.exists(path), 'no page for %s' % chk.id
        assert chk.id in index, '%s missing from the index' % chk.id
        with open(path) as f:
            text = f.read()
        for heading in ('What it flags', 'Why it matters', 'How to fix it',
                        'How to silence it'):
            assert heading in text, '%s: no %r' % (chk.id, heading)


def _sensitive_table():
    """(service, protocol, ports, flagged by) of each row of the table on
    the sensitive check's page."""
    path = os.path.join(DOCS, 'sg-ingress-sensitive-from-world.rst')
    with open(path) as f:
        lines = f.read().splitlines()
    rules = [i for i, line in enumerate(lines)
             if line.startswith('=====') and '  ' in line]
    return [tuple(line.split(None, 3)) for line in
            lines[rules[1] + 1:rules[2]]]


def test_the_sensitive_page_lists_every_built_in_service_and_its_source():
    from xloudclient.audit import settings

    rows = _sensitive_table()
    assert [r[:3] for r in rows] == [
        (name, proto, str(lo) if lo == hi else '%d-%d' % (lo, hi))
        for name, proto, lo, hi in settings.DEFAULT_SENSITIVE_PORTS]
    known = {'P', 'PH', 'SH', 'CIS', 'TA', 'M', 'OOB', 'X'}
    assert all(set(r[3].split(', ')) <= known for r in rows), rows
