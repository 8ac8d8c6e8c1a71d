import pytest

from xloudclient.audit import catalog
from xloudclient.audit import registry
from xloudclient.audit.finding import SEVERITIES


def test_ids_unique_and_severities_valid():
    checks = catalog.all_checks()
    assert checks, 'the catalog is empty'
    assert len({c.id for c in checks}) == len(checks)
    for chk in checks:
        assert chk.severity in SEVERITIES
        assert chk.summary and chk.needs


def test_select_all_by_default():
    assert catalog.select() == catalog.all_checks()


def test_select_only_and_skip():
    first = catalog.all_checks()[0]
    assert catalog.select(only=[first.id]) == [first]
    assert first not in catalog.select(skip=[first.id])


def test_select_unknown_id_names_it():
    with pytest.raises(ValueError, match='no-such-check'):
        catalog.select(only=['no-such-check'])


def test_duplicate_registration_refused():
    first = catalog.all_checks()[0]
    with pytest.raises(ValueError, match='duplicate'):
        registry.check(first.id, 'low', 'x', needs=('networks',))(
            lambda inv, s: [])


def test_hit_severity_overrides_check_severity():
    chk = registry.Check('x', 'info', 'x', ('networks',), lambda inv, s: [
        registry.Hit('router', {'id': 'r1'}, 'why', ('fix',), 'medium'),
        registry.Hit('router', {'id': 'r2', 'name': None}, 'why', ('fix',))])
    graded, default = chk.run(None, None)
    assert graded.severity == 'medium' and default.severity == 'info'
    assert default.resource_name == '' and default.project_id == ''
