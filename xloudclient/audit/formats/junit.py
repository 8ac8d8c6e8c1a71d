"""-f junit: JUnit XML for CI (Jenkins, GitLab): one test suite per check,
a failing test case per finding, a passing case for a check that found
nothing, a skipped case for a check that could not run."""

import xml.etree.ElementTree as ET

from xloudclient.audit.formats import ReportFormatter
from xloudclient.audit.formats import xml_text


def _element(parent, tag, text=None, **attrs):
    node = ET.SubElement(parent, tag, {k: xml_text(v)
                                       for k, v in attrs.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def render(report):
    by_check = report.by_check()
    stamp = report.started.strftime('%Y-%m-%dT%H:%M:%S')
    total = sum(max(len(f), 1) for f in by_check.values())
    root = ET.Element('testsuites', {
        'name': 'openstack network harden audit',
        'tests': str(total), 'failures': str(len(report.findings)),
        'errors': '0', 'skipped': str(len(report.not_run)),
        'time': '%.3f' % report.seconds, 'timestamp': stamp})
    for check in report.checks:
        found = by_check.get(check.id, [])
        suite = _element(
            root, 'testsuite', name=check.id,
            tests=str(max(len(found), 1)), failures=str(len(found)),
            errors='0', skipped='1' if check.id in report.not_run else '0',
            time='0', timestamp=stamp)
        _element(_element(suite, 'properties'), 'property',
                 name='severity', value=check.severity)
        if check.id in report.not_run:
            case = _element(suite, 'testcase', classname=check.id,
                            name='not run')
            _element(case, 'skipped', message=report.not_run[check.id])
            continue
        if not found:
            _element(suite, 'testcase', classname=check.id,
                     name='%s: no finding' % check.id)
            continue
        for f in found:
            case = _element(
                suite, 'testcase', classname=check.id,
                name='%s %s (%s) in %s' % (
                    f.resource_type, report.resource(f), f.resource_id,
                    report.project(f)))
            _element(case, 'failure',
                     '%s\nseverity: %s\nproject: %s (%s)\nfix: %s\n' % (
                         f.detail, f.severity, report.project(f),
                         f.project_id, f.remediation),
                     message=f.detail, type=f.severity)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' +
            ET.tostring(root, encoding='unicode') + '\n')


class JUnitFormatter(ReportFormatter):
    def render(self, report):
        return render(report)
