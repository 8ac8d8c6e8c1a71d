"""Baselines: a previous `-f json` audit output, to report only new ones."""

import json


class BaselineError(ValueError):
    """The file is not a usable baseline, in one line."""


def load(path):
    """The set of finding identities (check, resource id, key) in path."""
    try:
        with open(path) as f:
            data = json.load(f)
    except OSError as e:
        raise BaselineError('cannot read baseline %s: %s'
                            % (path, e.strerror or e))
    except ValueError as e:
        raise BaselineError('baseline %s is not JSON: %s' % (path, e))
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
        identities.add((row['Check'], row['Resource ID'],
                        row.get('Detail Key')))
    return identities


def new_findings(findings, identities):
    """The findings a baseline does not already hold.

    A baseline entry without a "Detail Key" column covers every finding of
    that check on that resource.
    """
    return [f for f in findings
            if (f.check, f.resource_id, f.key) not in identities
            and (f.check, f.resource_id, None) not in identities]
