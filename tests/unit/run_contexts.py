"""RunContexts for unit tests: a fake Neutron (and Keystone), a user,
roles and a fixed time."""

import datetime

from xloudclient.cloud import run_context
from xloudclient import records

NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.timezone.utc)


def context(neutron, identity=None, user='admin', roles=('admin',),
            project_id='p', now=None):
    """A RunContext on neutron (and identity: a Keystone; default the one
    a fake cloud carries), as user (a name or a records.Approver)."""
    if identity is None:
        identity = getattr(neutron, 'keystone', None)
    if not isinstance(user, records.Approver):
        user = records.Approver(user, '')
    return run_context.RunContext(
        neutron=neutron, user=user, project_id=project_id,
        project_name=project_id, roles=tuple(roles),
        now=now or datetime.datetime.now(datetime.timezone.utc),
        identity_factory=lambda: identity)


def disable(client, port_id, reason, review_by, granted_by, **kw):
    """port_security.disable as granted_by (kw: renew, dry_run, now,
    max_attempts)."""
    from xloudclient.harden import port_security

    ctx = context(client, user=granted_by, now=kw.pop('now', None))
    terms = records.Terms(reason, review_by, kw.pop('renew', False),
                          kw.pop('dry_run', False))
    return port_security.disable(ctx, port_id, terms, **kw)
