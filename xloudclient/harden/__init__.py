"""The changes the commands make: plans, dry runs, writes guarded by
If-Match, backups and records that undo them (doc/source/safety.rst).
Nothing in this package knows about cliff."""

import dataclasses

from xloudclient import errors


class Refused(errors.Explained):
    """A changing command refused or failed; str() is the one line to
    show: what happened, whether anything changed, and what to do."""


@dataclasses.dataclass
class Row:
    """What a changing command did, or would do, to one item: the item
    (a rule's or port's ID, a template entry, a floating IP's ID), the
    action in words, whether it failed, the item's project, and what its
    row shows beside it: a rule's security group and ethertype, the rule
    itself (restrict), a port's name or a floating IP's address (name),
    the IDs the change made, the conflicts it met."""

    item: str
    action: str
    failed: bool = False
    project_id: str = ''
    group_id: str = ''
    ethertype: str = ''
    name: str = ''
    rule: dict = None
    made: list = dataclasses.field(default_factory=list)
    conflicts: int = 0
