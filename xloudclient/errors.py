"""The one error contract: every error xloudclient raises on purpose is an
Explained, whose text is already the one line to show (what failed, and
what to do). osc/common.py's OneLineErrors turns it into cliff's one-line
failure; anything else (a bug, a transport failure) is described there in
one line too."""


class Explained(Exception):
    """A refusal or failure whose str() is the line to show."""
