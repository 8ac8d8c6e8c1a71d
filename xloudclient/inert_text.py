"""Text from the cloud as data: visible control characters, quoted argv.

A project member writes the names, descriptions and tags an admin's
commands print. Shown raw, an escape sequence in a name can rewrite the
admin's terminal, a newline can forge a row or a line of output, and an
unquoted word can turn a printed command into another. So every string
shown in a text format passes through visible(), and every command the
tool prints is built as an argv and joined by command().
"""

import functools
import re
import shlex
import string


_SHORT = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}


def _escape(char):
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code < 0x100:
        return '\\x%02x' % code
    if code < 0x10000:
        return '\\u%04x' % code
    return '\\U%08x' % code


def visible(text):
    """text with every character that is not printable (controls, C1
    controls, bidirectional overrides and isolates, zero-width and line
    separators, unassigned code points, any space but ' ') written as a
    Python escape: ESC becomes the four characters \\x1b."""
    text = str(text)
    if text.isprintable():
        return text
    return ''.join(c if c.isprintable() else _escape(c) for c in text)


# The characters of a word shlex.quote leaves as it is (its _find_unsafe:
# ASCII letters, digits and these); and the placeholder the admin replaces
# in the commands the tool prints, which it quotes.
_SAFE = string.ascii_letters + string.digits + '_@%+=:,./-'
_UNSAFE = re.compile('[^%s]' % re.escape(_SAFE))
_PLACEHOLDER = '<management-cidr>'
# What a line of safe words and placeholders holds: their characters, the
# spaces between the words and the placeholder's angle brackets.
_LINE_CHARS = (_SAFE + ' <>').encode('ascii')


def command(*argv):
    """One shell command from its arguments, each quoted as needed, so
    that shlex.split() gives back exactly argv whatever it contains."""
    try:
        line = ' '.join(argv)
    except TypeError:           # a word that is not a str
        return _word_by_word(argv)
    # The common case, checked on the whole line at C speed: no word
    # empty, no space but the len(argv) - 1 between the words, every '<'
    # and '>' in a placeholder word (one of each), every other character
    # safe. Then each word but the placeholder is as shlex.quote leaves
    # it, and each occurrence of the placeholder is one of its words.
    placeholders = argv.count(_PLACEHOLDER)
    if line.isascii() and all(argv) and \
            line.count(' ') == len(argv) - 1 and \
            line.count('<') == placeholders == line.count('>') and \
            not line.encode('ascii').translate(None, _LINE_CHARS):
        return line.replace(_PLACEHOLDER, _SHOWN[_PLACEHOLDER]) \
            if placeholders else line
    return _word_by_word(argv)


def _word_by_word(argv):
    """What shlex.join gives: a safe word as it is, any other quoted; the
    words commands share (openstack, --dry-run, ...) as they were shown."""
    shown, unsafe = _SHOWN, _UNSAFE.search
    return ' '.join([shown.get(w) or (
        w if w and not unsafe(w) else _quoted(w)) for w in map(str, argv)])


# The words of the commands the tool prints, as shlex.quote shows them
# (looked up, not scanned: they make up most of every remediation).
_SHOWN = {w: shlex.quote(w) for w in (
    'openstack', 'network', 'security', 'group', 'rule', 'port', 'floating',
    'ip', 'address', 'harden', 'restrict', 'default', 'release', 'delete',
    'set', 'unset', 'enable', 'disable', 'list', 'show', 'create', 'vip',
    'add', 'audit', 'accept', 'quota', '--project', '--to', '--dry-run',
    '--check', '--security-group', '--allowed-address', '--long',
    '--all-projects', '--address', _PLACEHOLDER)}


@functools.lru_cache(maxsize=256)
def _quoted(word):
    """shlex.quote, once per distinct word (a placeholder such as
    <management-cidr> recurs in thousands of commands)."""
    return shlex.quote(word)


# OWASP's CSV injection guidance: a cell starting with one of these is a
# formula (or DDE) to a spreadsheet.
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def no_formula(text):
    """A csv cell a spreadsheet shows as text: one that would start a
    formula gets a leading single quote, as OWASP recommends (the csv
    writer then quotes what needs quoting)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
