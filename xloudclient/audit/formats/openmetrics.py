"""-f openmetrics: the Prometheus text exposition of the run, for
node_exporter's textfile collector (see doc/source/reports.rst for the
cron recipe). A failed audit writes nothing."""

from xloudclient import inert_text
from xloudclient.audit.formats import ReportFormatter

PREFIX = 'xloud_audit_'


def _label(value):
    """A label value: inert (inert_text.visible), then escaped."""
    return inert_text.visible(str(value)).replace('\\', '\\\\').replace(
        '"', '\\"')


def _labels(**labels):
    if not labels:
        return ''
    return '{%s}' % ','.join('%s="%s"' % (k, _label(v))
                             for k, v in labels.items())


def _family(lines, name, text, samples):
    lines.append('# HELP %s%s %s' % (PREFIX, name, text))
    lines.append('# TYPE %s%s gauge' % (PREFIX, name))
    for labels, value in samples:
        lines.append('%s%s%s %s' % (PREFIX, name, _labels(**labels),
                                    _number(value)))


def _number(value):
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def render(report):
    counts = {}
    for f in report.findings:
        key = (f.check, f.severity, f.project_id)
        counts[key] = counts.get(key, 0) + 1
    names = report.project_names
    lines = []
    _family(lines, 'findings', 'Findings of the last audit, by check, '
            'severity and project.',
            [(dict(check=c, severity=s, project=names.get(p) or p,
                   project_id=p), n)
             for (c, s, p), n in sorted(counts.items())])
    by_check = report.by_check()
    _family(lines, 'check_findings', 'Findings of each check that ran (0: '
            'clean).',
            [(dict(check=c.id, severity=c.severity), len(by_check[c.id]))
             for c in report.checks if c.id not in report.not_run])
    _family(lines, 'check_not_run', 'Checks selected but not run (the cloud '
            'lacks what they need).',
            [(dict(check=c), 1) for c in sorted(report.not_run)])
    _family(lines, 'hidden_findings', 'Findings a baseline hid.',
            [({}, report.hidden)])
    accepted = {}
    for f, _ in report.accepted:
        accepted[f.check] = accepted.get(f.check, 0) + 1
    _family(lines, 'accepted_findings', 'Findings an unexpired reviewed '
            'decision hides, by check.',
            [(dict(check=c), n) for c, n in sorted(accepted.items())])
    _family(lines, 'resources_scanned', 'Resources read, by type.',
            [(dict(resource_type=t), n)
             for t, n in sorted(report.resources.items())])
    _family(lines, 'api_requests', 'API requests the audit made.',
            [({}, report.requests)])
    _family(lines, 'duration_seconds', 'How long the audit took.',
            [({}, round(report.seconds, 3))])
    _family(lines, 'last_success_timestamp_seconds', 'When the last '
            'successful audit started (Unix time).',
            [({}, round(report.started.timestamp(), 3))])
    _family(lines, 'about', 'The audit that wrote this file.',
            [(dict(version=report.version, scope=report.scope,
                   cloud=report.cloud, region=report.region), 1)])
    lines.append('# EOF')
    return '\n'.join(lines) + '\n'


class OpenMetricsFormatter(ReportFormatter):
    def render(self, report):
        return render(report)
