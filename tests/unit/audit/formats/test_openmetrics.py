from prometheus_client.openmetrics import parser as om_parser
from prometheus_client import parser

from tests.unit.audit.formats import reports
from xloudclient.audit.formats import openmetrics


def _samples(text):
    """{(name, frozenset(labels)): value} with both parsers agreeing."""
    families = list(parser.text_string_to_metric_families(text))
    om = list(om_parser.text_string_to_metric_families(text))
    out = {}
    for fam in families:
        for s in fam.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    om_out = {(s.name, frozenset(s.labels.items())): s.value
              for fam in om for s in fam.samples}
    assert out == om_out
    return out


def test_findings_by_check_severity_and_project():
    text = openmetrics.render(reports.report([
        reports.finding(rid='r1'), reports.finding(rid='r2'),
        reports.finding(check='fip-unassociated', severity='low',
                        project='p2')]))
    samples = _samples(text)
    key = frozenset({'check': 'sg-ingress-ssh-from-world',
                     'severity': 'high', 'project': 'web-team',
                     'project_id': 'p1'}.items())
    assert samples[('xloud_audit_findings', key)] == 2
    unnamed = frozenset({'check': 'fip-unassociated', 'severity': 'low',
                         'project': 'p2', 'project_id': 'p2'}.items())
    assert samples[('xloud_audit_findings', unnamed)] == 1
    clean = frozenset({'check': 'aap-any-address',
                       'severity': 'critical'}.items())
    assert samples[('xloud_audit_check_findings', clean)] == 0
    assert samples[('xloud_audit_resources_scanned',
                    frozenset({'resource_type': 'ports'}.items()))] == 10
    assert samples[('xloud_audit_duration_seconds', frozenset())] == 1.25
    assert samples[('xloud_audit_last_success_timestamp_seconds',
                    frozenset())] == 1795858200.0
    assert text.endswith('# EOF\n')


def test_label_values_are_escaped():
    text = openmetrics.render(reports.report(
        [reports.finding()], names={'p1': 'a "quoted"\\ name\nnext'}))
    labels = [dict(k[1]) for k in _samples(text)
              if k[0] == 'xloud_audit_findings']
    # the newline shown as an escape (inert), then escaped as a label
    assert labels[0]['project'] == 'a "quoted"\\ name\\nnext'


def test_checks_not_run_are_named_and_not_counted_as_clean():
    text = openmetrics.render(reports.report(
        not_run={'fip-unassociated': 'no router'}))
    samples = _samples(text)
    assert samples[('xloud_audit_check_not_run', frozenset(
        {'check': 'fip-unassociated'}.items()))] == 1
    assert not any(k[0] == 'xloud_audit_check_findings' and
                   ('check', 'fip-unassociated') in k[1] for k in samples)
