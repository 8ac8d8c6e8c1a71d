"""The audit command's one entry point: audit(ctx, AuditRequest) reads
Keystone once and Neutron once (runner.run) and returns an AuditRun, all
the command prints: findings after the baseline, what decisions hide,
what could not run, endorsements naming no decision, and the report."""

import dataclasses
import datetime
from importlib import metadata

from xloudclient.audit import accepted
from xloudclient.audit import baseline as baseline_mod
from xloudclient.audit import report as report_mod
from xloudclient.audit import runner


@dataclasses.dataclass(frozen=True)
class AuditRequest:
    """What to audit (a runner.Scan), the findings a baseline already
    holds (baseline.load; None: no baseline), and how the scope reads
    ('all projects', 'project NAME (ID)')."""

    scan: runner.Scan
    baseline: object = None
    scope: str = ''


@dataclasses.dataclass
class AuditRun:
    result: runner.AuditResult
    findings: list            # reported: after the baseline, sorted
    hidden: int               # findings the baseline holds
    not_run: dict             # {check ID: why}
    orphans: list             # [(project ID, Endorsement)] naming nothing
    directory: object         # the projects read from Keystone
    names: dict               # {project ID: name}
    report: report_mod.Report     # the same, for the report formats

    @property
    def accepted(self):
        return self.result.accepted

    @property
    def limitations(self):
        return self.result.limitations


def audit(ctx, request):
    """Run the audit the request describes; InventoryError when Neutron
    could not be read completely (nothing is reported then)."""
    scan = request.scan
    directory = ctx.directory(scan.project_ids)
    result = runner.run(ctx.neutron, scan, directory.endorsements)
    if directory.limitation():
        result.limitations.append(directory.limitation())
    findings = result.findings
    if request.baseline is not None:
        findings = baseline_mod.new_findings(findings, request.baseline)
    names = ctx.project_names(directory)
    findings.sort(key=lambda f: f.sort_key(names))
    unable = runner.not_run(scan.checks, result.inventory)
    hidden = len(result.findings) - len(findings)
    run = AuditRun(result, findings, hidden, unable,
                   orphans(result.inventory), directory, names, None)
    run.report = _report(ctx, request, run)
    return run


def orphans(inventory):
    """[(project ID, Endorsement)] naming no decision, when the audit read
    what tells (every taggable type, and Keystone); else []."""
    if inventory.endorsements is None or not accepted.complete(inventory):
        return []
    return [(pid, e) for pid in sorted(inventory.endorsements)
            for e in accepted.orphans(inventory, pid)]


def _report(ctx, request, run):
    """The run as plain data for the report formats."""
    settings, result = request.scan.settings, run.result
    return report_mod.Report(
        findings=run.findings, checks=list(request.scan.checks),
        not_run=run.not_run, limitations=list(result.limitations),
        hidden=run.hidden,
        scope=request.scope, accepted=list(result.accepted),
        cloud=ctx.cloud, region=ctx.region,
        started=datetime.datetime.now(datetime.timezone.utc) -
        datetime.timedelta(seconds=result.seconds),
        seconds=result.seconds,
        resources={t: len(getattr(result.inventory, t))
                   for t in result.fetched},
        requests=result.inventory.requests, version=version(),
        project_names=run.names,
        docs_url=settings.docs_url if settings is not None else '')


def version():
    """This package's version, or 'unknown'."""
    try:
        return metadata.version('python-xloudclient')
    except metadata.PackageNotFoundError:
        return 'unknown'
