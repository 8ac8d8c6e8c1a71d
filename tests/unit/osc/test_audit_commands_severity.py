import pytest

from xloudclient.audit.finding import Finding
from xloudclient.osc import audit_commands


def _f(severity):
    return Finding(severity, 'c', 'port', 'r', '', 'p', 'd', 'f')


@pytest.mark.parametrize('severities, threshold, fails', [
    (['info'], 'high', False),
    (['high'], 'high', True),
    (['critical'], 'high', True),
    (['medium', 'low'], 'medium', True),
    (['low'], 'medium', False),
    (['critical'], 'none', False),
    ([], 'info', False),
    (['info'], 'info', True),
])
def test_fail_on_threshold(severities, threshold, fails):
    assert audit_commands.at_or_above([_f(s) for s in severities],
                                      threshold) is fails
