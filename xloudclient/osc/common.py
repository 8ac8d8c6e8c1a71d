"""Pieces every changing or reporting command shares."""

from osc_lib import exceptions


def add_dry_run_option(parser, text='Show what would change and change '
                                    'nothing'):
    parser.add_argument('--dry-run', action='store_true', help=text)


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
    """Any failure a command did not explain becomes one line naming the
    endpoint and the reason (never a request URL or a traceback)."""

    def run(self, parsed_args):
        try:
            return super().run(parsed_args)
        except (exceptions.CommandError, KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:
            from xloudclient import neutron
            raise exceptions.CommandError(neutron.describe(e, service=None))


class PlainListsInText:
    """`-f value` and `-f csv` print a list column as `a, b`, not as a
    Python list; json and yaml keep real lists, the table its own form."""

    TEXT_FORMATS = ('value', 'csv')

    def produce_output(self, parsed_args, column_names, data):
        from cliff import lister

        if getattr(parsed_args, 'formatter', None) in self.TEXT_FORMATS:
            if isinstance(self, lister.Lister):
                data = [_plain(row) for row in data]
            else:
                data = _plain(data)
        return super().produce_output(parsed_args, column_names, data)


def _plain(row):
    from cliff import columns

    return tuple(c.human_readable()
                 if isinstance(c, columns.FormattableColumn) else c
                 for c in row)
