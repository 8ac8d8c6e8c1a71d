"""How a check is declared: the Hit it yields, the Check it becomes, and
the decorator that registers it (audit/catalog.py lists them)."""

import collections
import dataclasses
import typing

from xloudclient.audit.finding import Finding
from xloudclient import inert_text

Hit = collections.namedtuple(
    'Hit', 'resource_type resource detail remediation severity key aliases '
    'basis', defaults=(None, '', (), ()))
Hit.__doc__ = """One flagged resource (a plain dict with id, name and
project_id); remediation is the fixing command as an argv (a tuple of
strings), quoted into one line here, never a string built by hand;
severity overrides the check's own when a check grades; key tells apart
several findings of one check on one resource (baselines); aliases are
resource IDs that stood for this finding in earlier versions; basis is
what the verdict depends on beyond the resource and key (strings and
tuples of them), which a decision's endorsement binds."""


# A finding's detail and remediation name at most this many items (rules,
# groups, services): output stays linear in the findings however many
# rules open a group together.
SHOWN = 5


def listing(items, shown=SHOWN, noun=''):
    """'a, b, c', or the first shown - 1 and 'and N more <noun>'."""
    items = list(items)
    if len(items) <= shown:
        return ', '.join(items)
    return '%s and %d more%s' % (', '.join(items[:shown - 1]),
                                 len(items) - shown + 1,
                                 ' ' + noun if noun else '')


@dataclasses.dataclass(frozen=True)
class Check:
    id: str
    severity: str
    summary: str
    needs: tuple
    func: typing.Callable
    extensions: tuple = ()

    def run(self, inventory, settings):
        check_id, severity, made = self.id, self.severity, Finding.made
        # a Hit unpacked at once: eight fields, no attribute lookups
        return [made(
            grade or severity, check_id, rtype, resource['id'],
            resource.get('name') or '', resource.get('project_id') or '',
            detail, _command(remediation), key,
            tuple((check_id, a, '') for a in aliases) if aliases else (),
            tuple(basis))
            for rtype, resource, detail, remediation, grade, key, aliases,
            basis in self.func(inventory, settings)]


def _command(argv):
    """The remediation line of a hit's argv (shlex-quoted)."""
    if not isinstance(argv, (tuple, list)):
        raise TypeError('a remediation is an argv, not %r' % (argv,))
    return inert_text.command(*argv)


_REGISTRY = {}


def check(check_id, severity, summary, needs, extensions=()):
    """Decorator: register a check function under a stable id.

    needs: the inventory resource types it reads; extensions: the Neutron
    API extensions (aliases) without which it cannot judge anything.
    """
    def register(func):
        if check_id in _REGISTRY:
            raise ValueError('duplicate check id %r' % check_id)
        _REGISTRY[check_id] = Check(check_id, severity, summary,
                                    tuple(needs), func, tuple(extensions))
        return func
    return register


def registered():
    """Every check registered so far, in registration order."""
    return list(_REGISTRY.values())
