"""Run a selection of checks: fetch once, evaluate each check, collect;
findings an unexpired decision accepts are set apart."""

import contextlib
import dataclasses
import gc
import time

from xloudclient.audit import accepted
from xloudclient.audit import finding
from xloudclient.audit import inventory as inventory_mod
from xloudclient.audit import settings as settings_mod


@dataclasses.dataclass
class AuditResult:
    findings: list
    limitations: list
    inventory: inventory_mod.Inventory
    seconds: float
    fetched: tuple = ()
    accepted: list = dataclasses.field(default_factory=list)

    def resources_scanned(self):
        return sum(len(getattr(self.inventory, rtype))
                   for rtype in self.fetched)


def not_run(checks, inventory):
    """{check id: why} of the checks the cloud cannot run (it lacks an
    extension they need)."""
    why = {}
    for chk in checks:
        missing = [ext for ext in chk.extensions
                   if not inventory.has_extension(ext)]
        if missing:
            why[chk.id] = 'the cloud lacks the Neutron extension%s %s' % (
                's' if len(missing) > 1 else '', ', '.join(missing))
    return why


def not_run_records(unable):
    """One record per check that could not run, shaped as a finding, for
    the machine formats (-f json, yaml, csv, value): a program reading
    them learns what was not looked at. Never counted, never baselined."""
    return [finding.Finding('info', finding.NOT_RUN, 'check', check_id,
                            check_id, '', why, '')
            for check_id, why in sorted(unable.items())]


def evaluate(checks, inventory, settings=None, ordered=True):
    """Pure part: (findings, limitations) of the checks over an inventory
    (the findings in their order of display unless not ordered)."""
    settings = settings or settings_mod.Settings()
    findings, limitations = [], []
    unable = not_run(checks, inventory)
    for chk in checks:
        if chk.id in unable:
            limitations.append('check %s not run: %s' % (chk.id,
                                                         unable[chk.id]))
            continue
        findings.extend(chk.run(inventory, settings))
    if ordered:
        findings.sort(key=finding.Finding.sort_key)
    return findings, limitations


@contextlib.contextmanager
def _no_cyclic_gc():
    """The cycle collector off while the audit builds its data.

    Hundreds of thousands of dicts decoded from JSON, none in a cycle, make
    each full collection walk them all: at 100,000 ports the collector took
    more than half of the fetch's time. Objects without cycles are freed
    by reference counting as usual. Afterwards what exists is frozen (never
    walked again: a first collection would walk it all, about 0.5 s at
    100,000 ports) and the collector is back on, as it was. A process that
    runs many audits may call gc.unfreeze() between them.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@dataclasses.dataclass(frozen=True)
class Scan:
    """What to audit: the checks, the projects (project IDs; None: every
    project), the settings, types to fetch besides the checks' own
    (extra_types), seconds per request and a progress callback."""

    checks: tuple
    project_ids: tuple = None
    settings: settings_mod.Settings = None
    extra_types: tuple = ()
    timeout: float = None
    progress: object = None


def project_filter(project_ids):
    """The inventory's project filter: None (every project), one project
    ID, or a list of them."""
    if project_ids is None:
        return None
    return project_ids[0] if len(project_ids) == 1 else list(project_ids)


def run(client, request, endorsements=None):
    """Fetch what the Scan's checks need, and its extra_types (raises
    InventoryError), and evaluate. endorsements: {project ID: {digest:
    approver}} from Keystone (None: not read, and no decision counts)."""
    with _no_cyclic_gc():
        return _run(client, request, endorsements)


def _run(client, request, endorsements):
    started = time.monotonic()
    checks = request.checks
    needs = sorted({rtype for chk in checks for rtype in chk.needs} |
                   set(request.extra_types))
    settings = request.settings or settings_mod.Settings()
    pending, results = list(checks), {}

    def ready(done, inv):
        # Checks whose types are all in run while the rest is fetched.
        for chk in [c for c in pending if set(c.needs) <= done]:
            pending.remove(chk)
            results[chk.id] = evaluate([chk], inv, settings, ordered=False)
    inv = inventory_mod.fetch(
        client, needs, project_filter(request.project_ids), endorsements,
        inventory_mod.Fetching(timeout=request.timeout,
                               progress=request.progress, ready=ready))
    ready(frozenset(needs), inv)
    findings = [f for chk in checks for f in results[chk.id][0]]
    findings.sort(key=finding.Finding.sort_key)
    limitations = [line for chk in checks for line in results[chk.id][1]]
    findings, quiet = accepted.split(findings, inv, settings.today)
    return AuditResult(findings, limitations, inv,
                       time.monotonic() - started,
                       tuple(r for r in needs if r in inv.listed), quiet)
