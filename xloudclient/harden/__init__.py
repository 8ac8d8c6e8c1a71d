"""The changes the commands make: plans, dry runs, writes guarded by
If-Match, backups and records that undo them (doc/source/safety.rst).
Nothing in this package knows about cliff."""
