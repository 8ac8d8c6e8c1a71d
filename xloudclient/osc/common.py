"""Pieces every changing or reporting command shares."""

from cliff import columns
from osc_lib import exceptions


def for_people(parsed_args):
    """Whether the output is a table for a person (not a machine format)."""
    return getattr(parsed_args, 'formatter', 'table') == 'table'


def add_dry_run_option(parser, text='Show what would change and change '
                                    'nothing'):
    parser.add_argument('--dry-run', action='store_true', help=text)


def run_context(client_manager):
    """The RunContext of this command (cloud/run_context.py), built once
    from the client manager: Neutron and Keystone with their timeouts, the
    token's user, project and roles, and now."""
    from xloudclient.cloud import run_context as run_context_mod
    from xloudclient.osc import plugin
    from xloudclient import records

    auth = client_manager.auth_ref
    return run_context_mod.RunContext(
        neutron=client_manager.xloud,
        user=records.Approver(auth.username or '',
                              getattr(auth, 'user_id', '') or ''),
        project_id=auth.project_id or '',
        project_name=auth.project_name or '',
        roles=tuple(auth.role_names or ()),
        identity_factory=lambda: plugin.make_identity(client_manager),
        cloud=str(getattr(getattr(client_manager, 'auth', None), 'auth_url',
                          '') or ''),
        region=getattr(client_manager, 'region_name', None) or '')


def who(name, user_id):
    """'name (user ID)', or the name alone when no ID is known."""
    return '%s (%s)' % (name or '?', user_id) if user_id else name or ''


def approved_by(endorsement):
    """Who wrote an Endorsement, as its writer gave them ('' for none)."""
    return '' if endorsement is None else who(endorsement.by,
                                              endorsement.user_id)


def add_settings_option(parser):
    """--config: the audit's settings file, for a command that judges as
    the audit does."""
    parser.add_argument(
        '--config', metavar='<file>',
        help='The audit\'s settings file (its sensitive ports)')


def add_backup_option(parser):
    parser.add_argument(
        '--backup', metavar='<file>',
        help='Where to write the backup (default: a new file under '
             '$XDG_STATE_HOME/xloudclient/backups/); never overwritten')


class ExitStatusMixin:
    """A Lister that prints its rows and then exits with exit_status.

    take_action sets self.exit_status (e.g. 3: findings, 1: some items
    failed); cliff's own failures keep their code.
    """

    exit_status = 0

    def run(self, parsed_args):
        self.exit_status = 0
        code = super().run(parsed_args)
        return code or self.exit_status


class OneLineErrors:
    """The one converter of the error contract (xloudclient/errors.py): a
    library's Explained error becomes cliff's one-line failure as it is;
    any other failure one line naming the endpoint and the reason (never a
    request URL or a traceback). Every error's text is shown inert
    (inert_text.visible): it may quote names and tags a project wrote."""

    def run(self, parsed_args):
        from xloudclient import errors
        from xloudclient import inert_text

        try:
            return super().run(parsed_args)
        except (KeyboardInterrupt, SystemExit):
            raise
        except exceptions.CommandError as e:
            text = str(e)
            shown = inert_text.visible(text)
            if shown == text:
                raise
            raise exceptions.CommandError(shown) from None
        except errors.Explained as e:
            raise exceptions.CommandError(inert_text.visible(str(e))) \
                from None
        except Exception as e:
            from xloudclient.cloud import neutron
            raise exceptions.CommandError(inert_text.visible(
                neutron.describe(e, service=None)))


class InertText:
    """Text from the cloud is data: in every text format (table, value,
    csv, shell) each cell is shown with its control, bidirectional and
    other invisible characters made visible, so that a name cannot move
    the cursor, retitle the terminal, or split a row; `-f value` and
    `-f csv` print a list column as `a, b`; json and yaml keep the text
    as it is, escaped as their format requires; a csv cell that a
    spreadsheet would read as a formula is neutralised
    (inert_text.no_formula). say() writes one line to stderr the same
    way."""

    TEXT_FORMATS = ('table', 'value', 'csv', 'shell')

    def produce_output(self, parsed_args, column_names, data):
        from cliff import lister

        formatter = getattr(parsed_args, 'formatter', None)
        if formatter in self.TEXT_FORMATS:
            if isinstance(self, lister.Lister):
                data = [_inert_row(row, formatter) for row in data]
            else:
                data = _inert_row(data, formatter)
        return super().produce_output(parsed_args, column_names, data)

    def say(self, text):
        """One line on stderr, inert (a newline in text is shown as
        \\n)."""
        from xloudclient import inert_text

        self.app.stderr.write(inert_text.visible(text) + '\n')


def _inert_row(row, formatter):
    return tuple(_inert_cell(c, formatter) for c in row)


def _inert_cell(cell, formatter):
    """A cell of a text format: an InertColumn for anything that is text
    or formats as text, the cell itself for numbers, booleans, None."""
    if isinstance(cell, columns.FormattableColumn):
        return InertColumn(cell, cell.human_readable(), formatter)
    if isinstance(cell, str):
        return InertColumn(cell, cell, formatter)
    return cell


class InertColumn(columns.FormattableColumn):
    """A cell's text made visible; it sorts and compares as the original
    cell (a severity by rank, say)."""

    def __init__(self, original, text, formatter):
        from xloudclient import inert_text

        super().__init__(original)
        text = inert_text.visible(text)
        if formatter == 'shell':        # inside "...": no expansion
            for char in '\\$`':
                text = text.replace(char, '\\' + char)
        elif formatter == 'csv':
            text = inert_text.no_formula(text)
        self._text = text

    def human_readable(self):
        return self._text

    def machine_readable(self):
        return self._text
