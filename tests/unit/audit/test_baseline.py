import json

import pytest

from xloudclient.audit import baseline
from xloudclient.audit.finding import Finding


def _f(check, rid, key=''):
    return Finding('high', check, 'port', rid, '', 'p', 'd', 'r', key)


def _write(tmp_path, data):
    path = tmp_path / 'baseline.json'
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_only_new_findings_remain(tmp_path):
    path = _write(tmp_path, [
        {'Check': 'a', 'Resource ID': '1', 'Detail Key': ''},
        {'Check': 'aap', 'Resource ID': 'p', 'Detail Key': '10.0.0.0/8'}])
    known = baseline.load(path)
    findings = [_f('a', '1'), _f('a', '2'), _f('b', '1'),
                _f('aap', 'p', '10.0.0.0/8'), _f('aap', 'p', '0.0.0.0/0')]
    assert baseline.new_findings(findings, known) == [
        _f('a', '2'), _f('b', '1'), _f('aap', 'p', '0.0.0.0/0')]


def test_entry_without_key_covers_all_keys(tmp_path):
    known = baseline.load(_write(tmp_path, [{'Check': 'aap',
                                             'Resource ID': 'p'}]))
    assert baseline.new_findings([_f('aap', 'p', 'x'), _f('aap', 'p', 'y')],
                                 known) == []


def test_empty_baseline(tmp_path):
    assert baseline.load(_write(tmp_path, [])) == set()


@pytest.mark.parametrize('content, message', [
    ('not json', 'not JSON'),
    ({'Check': 'a'}, 'list of findings'),
    ([{'Severity': 'high'}], 'entry 1: not a finding'),
    ([{'Check': 1, 'Resource ID': 'x'}], 'entry 1'),
])
def test_bad_baselines(tmp_path, content, message):
    with pytest.raises(baseline.BaselineError, match=message):
        baseline.load(_write(tmp_path, content))


def test_missing_file(tmp_path):
    with pytest.raises(baseline.BaselineError, match='cannot read'):
        baseline.load(str(tmp_path / 'nope.json'))


OLD_AUDIT = [   # `-f json` of an audit before findings were per group
    {'Severity': 'medium', 'Check': 'sg-default-same-group-ingress',
     'Resource Type': 'security group rule', 'Resource ID': 'r4',
     'Resource Name': 'default rule', 'Project': 'p', 'Detail': 'x',
     'Remediation': 'y', 'Detail Key': ''},
    {'Severity': 'medium', 'Check': 'sg-default-same-group-ingress',
     'Resource Type': 'security group rule', 'Resource ID': 'r6',
     'Resource Name': 'default rule', 'Project': 'p', 'Detail': 'x',
     'Remediation': 'y', 'Detail Key': ''}]


def _group_finding(*rules):
    check = 'sg-default-same-group-ingress'
    return Finding('medium', check, 'security group', 'g', 'default', 'p',
                   'd', 'r', aliases=tuple((check, r, '') for r in rules))


def test_an_old_baseline_of_per_rule_findings_covers_the_group(tmp_path):
    known = baseline.load(_write(tmp_path, OLD_AUDIT))
    assert baseline.new_findings([_group_finding('r4', 'r6')], known) == []
    # a rule the old baseline did not know makes the finding new again
    new = _group_finding('r4', 'r6', 'r-new')
    assert baseline.new_findings([new], known) == [new]
