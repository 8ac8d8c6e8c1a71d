"""-f html: one self-contained page for people (project owners, reviews):
what was audited, totals by severity and by project with charts (inline
SVG), every finding grouped by project then severity with its fix, and the
checks. No scripts, no external CSS, fonts or images; prints on paper."""

import html

from xloudclient.audit.formats import ReportFormatter
from xloudclient.audit.finding import SEVERITIES
from xloudclient.audit.formats import xml_text

COLOURS = {'critical': '#8b0000', 'high': '#d9480f', 'medium': '#e6a700',
           'low': '#3b7dd8', 'info': '#6c757d'}
CHART_PROJECTS = 25        # projects drawn in the chart; the table has all

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d1d1f;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: .2em; } h2 { border-bottom: 2px solid #ddd;
     margin-top: 2em; } h3 { margin-top: 1.6em; }
.summary { font-size: 1.15em; margin-top: 0; }
dl.run { display: grid; grid-template-columns: max-content auto;
         gap: .2em 1.2em; } dl.run dt { font-weight: 600; }
dl.run dd { margin: 0; }
table { border-collapse: collapse; } th, td { padding: .25em .7em;
        border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.finding { border-left: 6px solid #999; padding: .4em .9em;
           margin: .6em 0; background: #fafafa; break-inside: avoid; }
.finding p { margin: .15em 0; }
.sev { display: inline-block; min-width: 5.5em; font-weight: 700;
       text-transform: uppercase; font-size: .8em; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre.fix { background: #fff; border: 1px solid #ccc; padding: .4em .6em;
          white-space: pre-wrap; overflow-wrap: anywhere;
          user-select: all; margin: .3em 0 0; }
.muted { color: #555; } .none { color: #2b8a3e; font-weight: 600; }
%(sev)s
@media print { body { margin: 0; max-width: none; font-size: 11pt; }
  .finding { background: none; } a { color: inherit; }
  h2 { break-after: avoid; } h3, h4 { break-after: avoid; } }
"""


def _e(value):
    return html.escape(xml_text(value), quote=True)


def _severity_css():
    return '\n'.join(
        '.sev-%s { border-left-color: %s; } .sev-%s .sev { color: %s; }'
        % (s, c, s, c) for s, c in COLOURS.items())


def _counts_text(pairs):
    parts = ['%d %s' % (n, s) for s, n in pairs if n]
    return ', '.join(parts)


def _severity_chart(report):
    pairs = report.by_severity()
    top = max([n for _, n in pairs] + [1])
    rows, height = [], 28
    for i, (sev, n) in enumerate(pairs):
        y = i * height
        width = 0 if not n else max(2, round(420 * n / top))
        rows.append(
            '<g><title>%d %s</title>'
            '<text x="0" y="%d" dominant-baseline="middle">%s</text>'
            '<rect x="90" y="%d" width="%d" height="18" fill="%s"/>'
            '<text x="%d" y="%d" dominant-baseline="middle" '
            'class="n" data-severity="%s">%d</text></g>' % (
                n, sev, y + 9, sev, y, width, COLOURS[sev], 96 + width,
                y + 9, sev, n))
    return ('<svg role="img" aria-label="Findings by severity" '
            'width="600" height="%d" viewBox="0 0 600 %d" '
            'xmlns="http://www.w3.org/2000/svg" font-size="13">%s</svg>'
            % (len(pairs) * height, len(pairs) * height, ''.join(rows)))


def _project_chart(projects):
    shown = projects[:CHART_PROJECTS]
    if not shown:
        return ''
    top = max(sum(c.values()) for _, _, c in shown)
    rows, height = [], 24
    for i, (name, _, counts) in enumerate(shown):
        y, x = i * height, 200
        bars = []
        for sev in SEVERITIES:
            if counts[sev]:
                w = max(2, round(380 * counts[sev] / top))
                bars.append('<rect x="%d" y="%d" width="%d" height="16" '
                            'fill="%s"><title>%d %s</title></rect>'
                            % (x, y, w, COLOURS[sev], counts[sev], sev))
                x += w
        label = name if len(name) <= 26 else name[:25] + '\u2026'
        rows.append('<text x="0" y="%d" dominant-baseline="middle">%s'
                    '</text>%s<text x="%d" y="%d" dominant-baseline='
                    '"middle">%d</text>' % (y + 8, _e(label), ''.join(bars),
                                            x + 6, y + 8,
                                            sum(counts.values())))
    more = len(projects) - len(shown)
    note = ('<p class="muted">The chart shows the %d projects with the '
            'most severe findings; the table lists all %d.</p>'
            % (len(shown), len(projects)) if more > 0 else '')
    h = len(shown) * height
    return ('<svg role="img" aria-label="Findings by project" width="640" '
            'height="%d" viewBox="0 0 640 %d" xmlns="http://www.w3.org/2000/'
            'svg" font-size="13">%s</svg>%s' % (h, h, ''.join(rows), note))


def _project_table(projects):
    head = ''.join('<th>%s</th>' % s for s in SEVERITIES)
    body = []
    for name, pid, counts in projects:
        body.append('<tr><td><a href="#project-%s">%s</a></td>%s'
                    '<td>%d</td></tr>' % (
                        _e(pid or 'none'), _e(name), ''.join(
                            '<td>%d</td>' % counts[s] for s in SEVERITIES),
                        sum(counts.values())))
    return ('<table class="projects"><thead><tr><th>Project</th>%s'
            '<th>total</th></tr></thead><tbody>%s</tbody></table>'
            % (head, ''.join(body)))


def _run(report):
    resources = ', '.join('%s %d' % (t, n)
                          for t, n in sorted(report.resources.items()))
    run = [c.id for c in report.checks if c.id not in report.not_run]
    items = [
        ('Cloud', report.cloud or 'unknown'),
        ('Region', report.region or 'default'),
        ('Scope', report.scope),
        ('Started', report.started.strftime('%Y-%m-%d %H:%M:%S UTC')),
        ('Duration', '%.2f s, %d API requests' % (
            report.seconds, report.requests)),
        ('Resources scanned', '%d (%s)' % (sum(report.resources.values()),
                                           resources or 'none')),
        ('Checks run', '%d: %s' % (len(run), ', '.join(run) or 'none')),
        ('Not run', '; '.join('%s: %s' % kv for kv in sorted(
            report.not_run.items())) or 'none'),
        ('Limitations', '; '.join(report.limitations) or 'none'),
        ('Hidden by a baseline', '%d finding%s' % (
            report.hidden, '' if report.hidden == 1 else 's')),
        ('Accepted', '%d finding%s (listed below the findings)' % (
            len(report.accepted), '' if len(report.accepted) == 1
            else 's')),
        ('Plugin', 'xloudclient %s' % report.version),
    ]
    return '<dl class="run">%s</dl>' % ''.join(
        '<dt>%s</dt><dd>%s</dd>' % (_e(k), _e(v)) for k, v in items)


def _finding(report, f):
    return (
        '<article class="finding sev-%s" data-check="%s">'
        '<p><span class="sev">%s</span> <a href="#check-%s">%s</a></p>'
        '<p>%s <strong>%s</strong> <code class="muted">%s</code></p>'
        '<p>%s</p><pre class="fix"><code>%s</code></pre></article>' % (
            _e(f.severity), _e(f.check), _e(f.severity), _e(f.check),
            _e(f.check), _e(f.resource_type), _e(report.resource(f)),
            _e(f.resource_id), _e(f.detail), _e(f.remediation)))


def _findings(report, projects):
    if not report.findings:
        return '<p class="none">No findings.</p>'
    by_project = {}
    for f in report.findings:
        by_project.setdefault(f.project_id, []).append(f)
    out = []
    for name, pid, counts in projects:
        out.append('<section class="project" id="project-%s"><h3>%s%s</h3>'
                   % (_e(pid or 'none'), _e(name),
                      ' <code class="muted">%s</code>' % _e(pid)
                      if pid and pid != name else ''))
        for sev in SEVERITIES:
            found = [f for f in by_project[pid] if f.severity == sev]
            if found:
                out.append('<h4>%s (%d)</h4>' % (sev, len(found)))
                out.extend(_finding(report, f) for f in found)
        out.append('</section>')
    return ''.join(out)


def _accepted(report):
    if not report.accepted:
        return '<p class="muted">No accepted findings.</p>'
    rows = []
    for f, d in sorted(report.accepted, key=lambda fd: (
            report.project(fd[0]), fd[0].check, report.resource(fd[0]))):
        rows.append(
            '<tr data-check="%s"><td>%s</td><td><a href="#check-%s">%s</a>'
            '</td><td>%s <code class="muted">%s</code></td><td>%s</td>'
            '<td>%s</td><td>%s</td></tr>' % (
                _e(f.check), _e(report.project(f)), _e(f.check),
                _e(f.check), _e(report.resource(f)), _e(f.resource_id),
                _e(d.reason), _e(d.granted_by), _e(
                    d.review_by.isoformat())))
    return ('<table class="accepted"><thead><tr><th>Project</th>'
            '<th>Check</th><th>Resource</th><th>Reason</th><th>By</th>'
            '<th>Review by</th></tr></thead><tbody>%s</tbody></table>'
            % ''.join(rows))


def _checks(report, docs_url):
    items = []
    for c in report.checks:
        link = (' <a href="%s">documentation</a>' % _e(
            '%s/checks/%s.html' % (docs_url.rstrip('/'), c.id))
            if docs_url else '')
        state = (' <em>not run: %s</em>' % _e(report.not_run[c.id])
                 if c.id in report.not_run else '')
        items.append('<dt id="check-%s"><code>%s</code> (%s)</dt>'
                     '<dd>%s%s%s</dd>' % (_e(c.id), _e(c.id),
                                          _e(c.severity), _e(c.summary),
                                          link, state))
    return '<dl class="checks">%s</dl>' % ''.join(items)


def render(report, docs_url=None):
    projects = report.by_project()
    total = len(report.findings)
    title = 'Network security audit: %d finding%s' % (
        total, '' if total == 1 else 's')
    summary = _counts_text(report.by_severity())
    return ''.join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width">',
        '<title>%s</title><style>%s</style></head><body>' % (
            _e(title), STYLE % {'sev': _severity_css()}),
        '<header><h1>Network security audit</h1>',
        '<p class="summary" id="total" data-count="%d">%d finding%s%s</p>'
        % (total, total, '' if total == 1 else 's',
           ' (%s)' % summary if summary else ''),
        '<p class="muted">%s, %s</p></header>' % (
            _e(report.scope), _e(report.started.strftime(
                '%Y-%m-%d %H:%M UTC'))),
        '<section id="run"><h2>The run</h2>%s</section>' % _run(report),
        '<section id="totals"><h2>Totals</h2><h3>By severity</h3>%s'
        % _severity_chart(report),
        '<h3>By project</h3>%s%s</section>' % (
            _project_chart(projects), _project_table(projects)
            if projects else '<p class="none">No findings.</p>'),
        '<section id="findings"><h2>Findings</h2>%s</section>'
        % _findings(report, projects),
        '<section id="accepted"><h2>Accepted findings</h2><p class="muted">'
        'Reviewed decisions (<code>openstack network harden accept</code>)'
        ' hide these until their review date; overdue ones are findings '
        'above.</p>%s</section>' % _accepted(report),
        '<section id="checks"><h2>Checks</h2>%s</section>'
        % _checks(report, docs_url),
        '</body></html>\n'])


class HtmlFormatter(ReportFormatter):
    def render(self, report):
        return render(report, report.docs_url)
