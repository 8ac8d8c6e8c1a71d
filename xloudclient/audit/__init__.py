"""The audit engine: fetch once, evaluate pure checks, report findings.

Nothing in this package knows about cliff.
"""
