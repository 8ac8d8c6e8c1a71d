"""The projects a command reads from Keystone, once per run: their names
and the endorsements of decisions among their tags."""

import dataclasses

from xloudclient import records as rec
from xloudclient.cloud import keystone
from xloudclient.cloud import neutron


@dataclasses.dataclass
class Directory:
    projects: dict            # {project ID: {'name': ..., 'tags': [...]}}
    error: str = ''           # why Keystone could not be read, if it failed

    @property
    def endorsements(self):
        """{project ID: {digest: approver}}, or None when Keystone could
        not be read (then no decision counts)."""
        if self.error:
            return None
        return {pid: rec.endorsements_in(p['tags'])
                for pid, p in self.projects.items()}

    def names(self):
        return {pid: p['name'] for pid, p in self.projects.items()
                if p['name']}

    def limitation(self):
        """The line the audit prints when decisions could not be
        verified, or ''."""
        if not self.error:
            return ''
        return ('decisions not verified (%s): no accepted finding is '
                'hidden and no port-security exception counts as '
                'documented' % self.error)


def read(identity, project_ids):
    """The Directory of project_ids (None: every project, one list) read
    through the identity client. Keystone failing does not fail the
    command: the Directory says why, and callers treat every decision as
    unverified."""
    try:
        return Directory(keystone.projects(identity, project_ids))
    except Exception as e:       # 403, 5xx, timeout, a bad body
        return Directory({}, neutron.describe(e, service='Keystone'))
