"""The check catalog, one module per resource family.

Importing this package registers every check with the catalog, in the
order of the documented catalog.
"""

from xloudclient.audit.checks import decision_records  # noqa: F401
from xloudclient.audit.checks import address_pairs  # noqa: F401
from xloudclient.audit.checks import impersonation  # noqa: F401
from xloudclient.audit.checks import cloud  # noqa: F401
from xloudclient.audit.checks import exposure  # noqa: F401
from xloudclient.audit.checks import floating_ips  # noqa: F401
from xloudclient.audit.checks import networks  # noqa: F401
from xloudclient.audit.checks import ports  # noqa: F401
from xloudclient.audit.checks import routers  # noqa: F401
from xloudclient.audit.checks import security_groups  # noqa: F401
from xloudclient.audit.checks import shared_groups  # noqa: F401
from xloudclient.audit.checks import templates  # noqa: F401
from xloudclient.audit.checks import quotas  # noqa: F401
from xloudclient.audit.checks import unreadable  # noqa: F401
