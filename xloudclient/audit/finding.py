"""The Finding record and the severity scale."""

import dataclasses

SEVERITIES = ('critical', 'high', 'medium', 'low', 'info')
# The check of the records that name a check the audit could not run.
NOT_RUN = 'audit-check-not-run'
_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}
_SET = object.__setattr__      # past the frozen dataclass's __setattr__


def severity_rank(severity):
    """A number that grows with severity: info=0 ... critical=4."""
    return _RANK[severity]


@dataclasses.dataclass(frozen=True)
class Finding:
    """One problem on one resource, with the command that fixes it."""

    severity: str
    check: str
    resource_type: str
    resource_id: str
    resource_name: str
    project_id: str
    detail: str
    remediation: str
    key: str = ''
    # Identities this finding had in earlier versions (one per rule where
    # it is now one per group): a baseline that holds them all covers it.
    aliases: tuple = ()
    # What the verdict depends on beyond the resource and key (the port
    # behind an address, the rules that open it and what their remotes
    # hold, ...): a decision's endorsement binds it (records.substance).
    basis: tuple = dataclasses.field(default=(), compare=False, repr=False)

    def __post_init__(self):
        if self.severity not in _RANK:
            raise ValueError('unknown severity %r' % self.severity)

    @classmethod
    def made(cls, severity, check, resource_type, resource_id, resource_name,
             project_id, detail, remediation, key='', aliases=(), basis=()):
        """A Finding from its fields in order, without the frozen
        dataclass's per-field __setattr__ (the audit makes tens of
        thousands); the severity is checked as __post_init__ does."""
        if severity not in _RANK:
            raise ValueError('unknown severity %r' % severity)
        finding = object.__new__(cls)
        _SET(finding, '__dict__', {
            'severity': severity, 'check': check,
            'resource_type': resource_type, 'resource_id': resource_id,
            'resource_name': resource_name, 'project_id': project_id,
            'detail': detail, 'remediation': remediation, 'key': key,
            'aliases': aliases, 'basis': basis})
        return finding

    def identity(self):
        """What a baseline matches on: check, resource and detail key."""
        return (self.check, self.resource_id, self.key)

    def sort_key(self, project_names=None):
        """Most severe first, then check, project (by its name when
        project_names has it), resource."""
        project = (project_names or {}).get(self.project_id) or \
            self.project_id
        return (-severity_rank(self.severity), self.check, project,
                self.resource_name or self.resource_id, self.resource_id,
                self.detail)
