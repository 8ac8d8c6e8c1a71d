"""Rules Neutron let in twice, and how one of them is kept.

With several API workers, two identical security group rules (or default
rule templates) created at the same moment both land: Neutron looks for an
identical one before its insert, the table has no unique key, and two
transactions on two workers each find none (seen with MariaDB and two
workers: 8 concurrent restricts left the replacement rule two or three
times). A run that created such an item reads its twins and keeps one:
the lowest ID, whoever made it, so that every run settles on the same one.
Twins are identical in every field that filters traffic, so deleting the
others changes nothing the cloud enforces.
"""

from xloudclient.cloud import neutron


def keep_one(client, collection, created, like, listed):
    """The item that stays of created and its twins: listed() is a fresh
    list of collection's items where created belongs, like(a, b) whether
    two items are twins. Deletes the other twins (best effort: one that
    cannot be deleted now stays, a duplicate that filters nothing more).
    A failed read leaves created as it is."""
    try:
        twins = [i for i in listed() if like(created, i)]
    except Exception:
        return created
    if not any(i['id'] == created['id'] for i in twins):
        twins.append(created)
    kept = min(twins, key=lambda i: i['id'])
    for other in twins:
        if other['id'] != kept['id']:
            try:
                neutron.delete(client, collection, other['id'])
            except Exception:
                pass
    return kept
