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
