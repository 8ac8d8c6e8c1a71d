"""Files the user names (baselines, backups, settings): read bounded,
as UTF-8 text, with one-line errors. Their content is not trusted."""

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
