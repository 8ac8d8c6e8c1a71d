"""-f junit: JUnit XML for CI (Jenkins, GitLab): one test suite per check,
a failing test case per finding, a passing case for a check that found
nothing, a skipped case for a check that could not run."""

import xml.etree.ElementTree as ET

from xloudclient.audit.formats import ReportFormatter
from xloudclient.audit.formats import xml_text


def _element(parent, tag, lines=None, **attrs):
    """An element; its text is lines (each made inert, then joined by
    newlines)."""
    node = ET.SubElement(parent, tag, {k: xml_text(v)
                                       for k, v in attrs.items()})
    if lines is not None:
        node.text = ''.join(xml_text(line) + '\n' for line in lines)
    return node


def _case_name(report, f):
    return '%s %s (%s) in %s' % (f.resource_type, report.resource(f),
                                 f.resource_id, report.project(f))


def render(report):
    """One suite per check: a failing case per finding, a skipped case
    per accepted finding, a passing case when there is neither."""
    by_check = report.by_check()
    accepted = {}
    for f, d in report.accepted:
        accepted.setdefault(f.check, []).append((f, d))
    stamp = report.started.strftime('%Y-%m-%dT%H:%M:%S')

    def skipped(check_id):
        return len(accepted.get(check_id, ())) + (
            check_id in report.not_run)

    def tests(check_id):
        return max(len(by_check.get(check_id, ())) + skipped(check_id), 1)
    root = ET.Element('testsuites', {
        'name': 'openstack network harden audit',
        'tests': str(sum(tests(c.id) for c in report.checks)),
        'failures': str(len(report.findings)), 'errors': '0',
        'skipped': str(sum(skipped(c.id) for c in report.checks)),
        'time': '%.3f' % report.seconds, 'timestamp': stamp})
    for check in report.checks:
        _suite(root, report, check, by_check.get(check.id, []),
               accepted.get(check.id, []))
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' +
            ET.tostring(root, encoding='unicode') + '\n')


def _suite(root, report, check, found, accepted):
    """The check's testsuite: not run, or its accepted (skipped) and
    reported (failed) findings, or one passing case."""
    skipped = len(accepted) + (check.id in report.not_run)
    tests = max(len(found) + skipped, 1)
    stamp = report.started.strftime('%Y-%m-%dT%H:%M:%S')
    suite = _element(
        root, 'testsuite', name=check.id, tests=str(tests),
        failures=str(len(found)), errors='0', skipped=str(skipped),
        time='0', timestamp=stamp)
    _element(_element(suite, 'properties'), 'property',
             name='severity', value=check.severity)
    if check.id in report.not_run:
        case = _element(suite, 'testcase', classname=check.id,
                        name='not run')
        _element(case, 'skipped', message=report.not_run[check.id])
        return
    for f, d in accepted:
        case = _element(suite, 'testcase', classname=check.id,
                        name=_case_name(report, f))
        _element(case, 'skipped', message='accepted until %s by %s: %s'
                 % (d.review_by.isoformat(), d.granted_by, d.reason))
    if not found and not accepted:
        _element(suite, 'testcase', classname=check.id,
                 name='%s: no finding' % check.id)
        return
    for f in found:
        case = _element(suite, 'testcase', classname=check.id,
                        name=_case_name(report, f))
        _element(case, 'failure', (
            f.detail, 'severity: %s' % f.severity,
            'project: %s (%s)' % (report.project(f), f.project_id),
            'fix: %s' % f.remediation), message=f.detail,
            type=f.severity)


class JUnitFormatter(ReportFormatter):
    def render(self, report):
        return render(report)
