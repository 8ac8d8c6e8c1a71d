"""Baselines: a previous `-f json` audit output, to report only new ones."""

from xloudclient.audit import finding
from xloudclient import errors
from xloudclient import files


class BaselineError(errors.Explained, ValueError):
    """The file is not a usable baseline, in one line."""


MAX_BYTES = 64 << 20


def load(path):
    """The set of finding identities (check, resource id, key) in path."""
    try:
        data = files.read_json(path, MAX_BYTES, 'baseline')
    except files.FileError as e:
        raise BaselineError(str(e))
    if not isinstance(data, list):
        raise BaselineError('baseline %s is not the -f json output of an '
                            'audit (expected a list of findings)' % path)
    identities = set()
    for index, row in enumerate(data):
        if not (isinstance(row, dict) and isinstance(row.get('Check'), str)
                and isinstance(row.get('Resource ID'), str)):
            raise BaselineError(
                'baseline %s, entry %d: not a finding (needs "Check" and '
                '"Resource ID"; keep those columns in the baseline)'
                % (path, index + 1))
        key = row.get('Detail Key')
        if key is not None and not isinstance(key, str):
            raise BaselineError(
                'baseline %s, entry %d: "Detail Key" must be text, not %s'
                % (path, index + 1, type(key).__name__))
        if row['Check'] == finding.NOT_RUN:
            continue        # what an earlier run could not look at
        identities.add((row['Check'], row['Resource ID'], key))
    return identities


def _holds(identities, identity):
    check, resource_id, key = identity
    return (identity in identities or
            (check, resource_id, None) in identities)


def new_findings(findings, identities):
    """The findings a baseline does not already hold.

    A baseline entry without a "Detail Key" column covers every finding of
    that check on that resource. A finding that was several findings in
    an earlier version is covered when the baseline holds all of them.
    """
    return [f for f in findings
            if not _holds(identities, f.identity()) and not (
                f.aliases and all(_holds(identities, a)
                                  for a in f.aliases))]
