"""The one backup module of the changing commands. A command names its
Kind (format, version, the keys it holds and what the digest covers);
every kind is written and read the same way: a new private file, whole or
not at all, under $XDG_STATE_HOME/xloudclient/backups/ by default, at
most 16 MiB, with a digest over what a restore acts on, and read back
distrusted (files.py reads it bounded; Kind.check refuses anything that
is not an intact backup of its kind). What each entry may hold stays
with its command."""

import dataclasses
import hashlib
import json
import os

from xloudclient import files
from xloudclient import harden

MAX_BYTES = 16 << 20
MAX_DESCRIPTION = 255       # Neutron's limit on a description
_SHAPES = {list: 'a list', dict: 'an object'}


@dataclasses.dataclass(frozen=True)
class Kind:
    """One command's backup format. shapes: {key: list or dict}, what a
    file must hold; digested: the keys the digest covers (from version
    digest_since on); older: earlier versions still read. The refusals
    say what did not happen: nothing deleted when the backup could not
    be written (unwritten), nothing restored when it cannot be read
    (unread)."""

    format: str
    name: str                 # in messages: "floating IP"
    stem: str                 # default file: <stem>-<UTC time>.json
    version: int
    shapes: dict
    digested: tuple
    older: tuple = ()
    digest_since: int = 1
    unwritten: str = 'nothing was deleted'
    unread: str = 'nothing was created'

    def default_path(self, now):
        """A new backup's default path: $XDG_STATE_HOME/xloudclient/
        backups/<stem>-<UTC time to the microsecond>.json."""
        base = os.environ.get('XDG_STATE_HOME') or os.path.join(
            os.path.expanduser('~'), '.local', 'state')
        return os.path.join(base, 'xloudclient', 'backups', '%s-%s.json' % (
            self.stem, now.strftime('%Y%m%dT%H%M%S.%fZ')))

    def write(self, path, body, now):
        """Write body as a new backup of this kind at path (None: the
        default path), with its creation time and digest; the path
        written, or harden.Refused saying nothing was changed."""
        data = dict(body, format=self.format, version=self.version,
                    created=now.strftime('%Y-%m-%dT%H:%M:%SZ'))
        data['digest'] = digest(data, self.digested)
        try:
            return files.write_new_json(path or self.default_path(now),
                                        data)
        except files.FileError as e:
            raise harden.Refused('%s; %s' % (e, self.unwritten))

    def load(self, path):
        """The checked data of the backup file at path (read(), check())."""
        return self.check(read(path), path)

    def check(self, data, path):
        """data, when it is an intact backup of this kind; else
        harden.Refused naming the file and why."""
        problem = self.problem(data)
        if problem:
            raise harden.Refused('%s %s: refusing it, %s'
                                 % (path, problem, self.unread))
        return data

    def problem(self, data):
        """Why data is not an intact backup of this kind, or None."""
        if not isinstance(data, dict) or data.get('format') != self.format:
            return 'is not an xloudclient %s backup' % self.name
        version, versions = data.get('version'), self.older + (
            self.version,)
        if type(version) is not int or version not in versions:
            shown = ' '.join(repr(version).split())
            return 'has backup version %s; this client reads version%s %s' \
                % (shown if len(shown) <= 40 else shown[:37] + '...',
                   's' if len(versions) > 1 else '',
                   ' and '.join(str(v) for v in versions))
        shapes = self.shapes
        if any(not isinstance(data.get(k), t) for k, t in shapes.items()):
            return 'is damaged (%s)' % ', '.join(
                '%s must be %s' % (k, _SHAPES[shapes[k]]) for k in shapes)
        if version >= self.digest_since and data.get('digest') != digest(
                data, self.digested):
            return 'has been changed since it was written (its digest ' \
                'does not match)'
        return None


def read(path):
    """A backup file's JSON, read bounded; harden.Refused when it cannot
    be read (before anything says which kind it is)."""
    try:
        return files.read_json(path, MAX_BYTES, 'backup')
    except files.FileError as e:
        raise harden.Refused(str(e))


def description_problem(entry):
    """Why an entry's description is not one Neutron takes back (text
    of at most MAX_DESCRIPTION characters, or none), or None."""
    description = entry.get('description')
    if description is not None and (not isinstance(description, str) or
                                    len(description) > MAX_DESCRIPTION):
        return 'has a description that is not text of at most %d ' \
            'characters' % MAX_DESCRIPTION
    return None


def digest(data, keys):
    """SHA-256 over data's values at keys (what a restore acts on), in a
    canonical form."""
    body = json.dumps([data.get(k) for k in keys], sort_keys=True,
                      separators=(',', ':'))
    return 'sha256:' + hashlib.sha256(body.encode('utf-8')).hexdigest()
