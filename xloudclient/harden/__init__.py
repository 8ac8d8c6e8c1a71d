"""The changes the commands make: plans, dry runs, writes guarded by
If-Match, backups and records that undo them (doc/source/safety.rst).
Nothing in this package knows about cliff."""

from xloudclient import errors


class Refused(errors.Explained):
    """A changing command refused or failed; str() is the one line to
    show: what happened, whether anything changed, and what to do."""
