"""Approving as an admin does it: review the request in `accepted list
--requested --long`, then approve it by its Request ID."""


def request_id(admin, check, target):
    """The Request ID of the one requested decision of check on target (a
    resource ID, or a rule ID for a rule's decision)."""
    rows = [r for r in admin.json('network', 'harden', 'accepted', 'list',
                                  '--all-projects', '--requested', '--long')
            if r['Check'] == check and target in (r['Resource ID'],
                                                  r['Item'])]
    assert len(rows) == 1, rows
    return rows[0]['Request']


def approve(admin, check, target, *argv):
    """`network harden approve` of the request reviewed (its JSON)."""
    return admin.json('network', 'harden', 'approve', check, target,
                      '--request', request_id(admin, check, target), *argv)
