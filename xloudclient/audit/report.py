"""One audit run as plain data, for the report formats (html, junit,
openmetrics): findings with names, totals, and what the run covered."""

import collections
import dataclasses
import datetime

from xloudclient.audit.finding import SEVERITIES


@dataclasses.dataclass
class Report:
    findings: list            # Findings shown (after a baseline), sorted
    checks: list              # the catalog's Checks that were selected
    not_run: dict             # check id -> why it was not run
    limitations: list         # lines, as the audit prints them
    hidden: int               # findings a baseline hid
    scope: str                # 'all projects' or 'project NAME (ID)'
    cloud: str                # the auth URL (never credentials)
    region: str
    started: datetime.datetime  # UTC
    seconds: float
    resources: dict           # resource type -> items scanned
    requests: int
    version: str
    project_names: dict = dataclasses.field(default_factory=dict)
    docs_url: str = ''        # where check pages live, if configured
    accepted: list = dataclasses.field(default_factory=list)
    # [(finding, decision)] an unexpired decision hides

    def project(self, finding):
        """The finding's project as shown: its name, or its ID."""
        return self.project_names.get(finding.project_id) or \
            finding.project_id or '(none)'

    def resource(self, finding):
        return finding.resource_name or finding.resource_id

    def by_severity(self):
        """[(severity, count)] for every severity, most severe first."""
        counts = collections.Counter(f.severity for f in self.findings)
        return [(s, counts[s]) for s in SEVERITIES]

    def by_project(self):
        """[(project shown, project ID, {severity: count})], the projects
        with the most severe findings first."""
        groups = {}
        for f in self.findings:
            groups.setdefault(f.project_id, collections.Counter())[
                f.severity] += 1
        rows = [(self.project_names.get(pid) or pid or '(none)', pid, c)
                for pid, c in groups.items()]
        rows.sort(key=lambda r: (
            [-r[2][s] for s in SEVERITIES], r[0], r[1]))
        return rows

    def by_check(self):
        """{check id: [findings]} for every selected check (run or not)."""
        found = {c.id: [] for c in self.checks}
        for f in self.findings:
            found.setdefault(f.check, []).append(f)
        return found
