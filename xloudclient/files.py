"""Files the user names (baselines, backups, settings): read bounded,
as UTF-8 text, with one-line errors; their content is not trusted. And
new files written whole (harden/backups.py): private, atomic, never over
another."""

import json
import os
import stat

from xloudclient import errors


class FileError(errors.Explained, ValueError):
    """The file cannot be used, in one line."""


def _size(limit):
    return '%d MiB' % (limit >> 20) if limit >= 1 << 20 else \
        '%d KiB' % (limit >> 10)


def read_text(path, limit, what):
    """The file's text; FileError if it is not a regular file (a FIFO, a
    device, a directory: refused without blocking), unreadable, over
    limit bytes, or not UTF-8."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would wait forever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as e:
        raise FileError('cannot read %s %s: %s' % (what, path,
                                                   e.strerror or e))
    try:
        with os.fdopen(fd, 'rb') as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise FileError('%s %s is not a regular file: refusing to '
                                'read it' % (what, path))
            data = f.read(limit + 1)
    except OSError as e:
        raise FileError('cannot read %s %s: %s' % (what, path,
                                                   e.strerror or e))
    if len(data) > limit:
        raise FileError('%s %s is larger than %s: refusing to read it'
                        % (what, path, _size(limit)))
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as e:
        raise FileError('%s %s is not UTF-8 text (byte 0x%02x at offset %d)'
                        % (what, path, data[e.start], e.start))


def read_json(path, limit, what):
    """The file's JSON value; FileError as read_text, or if not JSON."""
    text = read_text(path, limit, what)
    try:
        return json.loads(text)
    except RecursionError:
        raise FileError('%s %s is nested too deeply' % (what, path))
    except ValueError as e:
        raise FileError('%s %s is not JSON: %s' % (what, path, e))


def _make_private_dirs(directory):
    """Create directory and any missing parent with mode 0700."""
    missing = []
    while directory and not os.path.isdir(directory):
        missing.append(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for path in reversed(missing):
        os.mkdir(path, 0o700)


def write_new_json(path, data):
    """Write data as a new JSON file, mode 0600, whole or not at all (a
    temporary file linked into place); FileError if path exists or cannot
    be written. Never overwrites."""
    directory = os.path.dirname(os.path.abspath(path))
    tmp = '%s.%d.tmp' % (path, os.getpid())
    try:
        _make_private_dirs(directory)
        if os.path.exists(path):
            raise FileError('backup file %s already exists; not '
                            'overwriting it' % path)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write('\n')
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)      # fails rather than overwrite
    except OSError as e:
        raise FileError('cannot write the backup %s: %s' % (
            path, e.strerror or e))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
