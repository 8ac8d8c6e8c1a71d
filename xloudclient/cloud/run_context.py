"""The run context: what a command's one library call needs to know about
the run, built once per command (osc/common.py run_context): the clients
with their timeouts, who runs it, and when."""

import dataclasses
import datetime

from xloudclient.cloud import directory as directory_mod
from xloudclient.cloud import keystone
from xloudclient import records


@dataclasses.dataclass
class RunContext:
    """One command's run. neutron and the identity client bound every
    request (neutron.Timed); identity is made when first used (a command
    that never reads Keystone never builds it)."""

    neutron: object
    user: records.Approver            # the token's user name and ID
    project_id: str                   # the token's project
    project_name: str
    roles: tuple = ()
    now: datetime.datetime = dataclasses.field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc))
    identity_factory: object = None   # () -> Keystone client, or None
    cloud: str = ''                   # the auth URL (never credentials)
    region: str = ''
    _identity: object = dataclasses.field(default=None, repr=False)
    _directories: dict = dataclasses.field(default_factory=dict,
                                           repr=False)

    @property
    def is_admin(self):
        return 'admin' in self.roles

    @property
    def today(self):
        return self.now.date()

    @property
    def visible_project(self):
        """What the token may see: None (every project) for an admin, else
        its own project."""
        return None if self.is_admin else self.project_id

    @property
    def visible_projects(self):
        """The same as a scope: None, or the token's project alone."""
        project = self.visible_project
        return None if project is None else (project,)

    @property
    def identity(self):
        if self._identity is None and self.identity_factory is not None:
            self._identity = self.identity_factory()
        return self._identity

    def directory(self, project_ids=None):
        """The Directory of project_ids (None: every project), read from
        Keystone once per run and kept (directory.read)."""
        key = None if project_ids is None else tuple(sorted(project_ids))
        if key not in self._directories:
            self._directories[key] = directory_mod.read(self.identity,
                                                        project_ids)
        return self._directories[key]

    def visible_directory(self):
        """The Directory of what the token may see."""
        return self.directory(self.visible_projects)

    def project_names(self, directory=None):
        """{project ID: name}: the token's project, and the directory's
        names; without a directory read (or when Keystone failed it), one
        list of every project for an admin. Names are a courtesy: Keystone
        failing here fails nothing (an ID shows as the ID)."""
        names = {self.project_id: self.project_name} \
            if self.project_id and self.project_name else {}
        if directory is not None and not directory.error:
            names.update(directory.names())
        elif self.is_admin:
            try:
                names.update(keystone.project_names(self.identity))
            except Exception:       # 403, 5xx, timeout
                pass
        return names
