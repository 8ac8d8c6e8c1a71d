"""The check catalog, one module per resource family.

Importing this package registers every check with the catalog.
"""

from xloudclient.audit.checks import networks  # noqa: F401
