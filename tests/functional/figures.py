"""Figures the functional tests measure, printed at the end of the run."""

LINES = []


def record(line):
    LINES.append(line)
