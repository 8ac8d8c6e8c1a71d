"""The catalog of audit checks.

A check is a pure function ``(inventory, settings) -> iterable of Hit``
(audit/registry.py); the catalog turns hits into Findings carrying the
check's id and severity. A check declares the resource types it reads, so
the audit fetches only those. Importing the checks package registers them,
in the order of the documented catalog.
"""

from xloudclient.audit import checks  # noqa: F401  registers every check
from xloudclient.audit import registry
from xloudclient import errors


class UnknownCheck(errors.Explained, ValueError):
    """A check id the catalog does not have."""


def all_checks():
    """Every registered check, in catalog order."""
    return registry.registered()


def select(only=(), skip=()):
    """The checks to run; UnknownCheck names the ids it does not know."""
    every = all_checks()
    known = {c.id for c in every}
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise UnknownCheck('unknown check id: %s (see `openstack network '
                           'harden check list`)' % ', '.join(unknown))
    return [c for c in every
            if (not only or c.id in only) and c.id not in skip]
