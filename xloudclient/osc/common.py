"""Pieces every changing or reporting command shares."""


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
