"""Report formats of `openstack network harden audit` (-f html, junit,
openmetrics): cliff list formatters over the run's Report.

Registered under the entry point namespace xloudclient.audit.formatter,
which only the audit command loads. Modules here import only the standard
library and cliff at their top level.
"""

import re

from cliff.formatters import base

from xloudclient import errors
from xloudclient import inert_text

# Characters XML 1.0 cannot carry at all (C0 controls but tab, newline,
# carriage return; surrogates; U+FFFE/U+FFFF).
_NOT_XML = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def xml_text(value):
    """Text safe to put into XML or HTML (escaping is the writer's job):
    every character that is not printable (controls, C1, bidirectional
    overrides, zero-width) shown as its escape (inert_text.visible), so a
    browser cannot reorder it and a terminal showing the file cannot act
    on it."""
    return _NOT_XML.sub('\ufffd', inert_text.visible(str(value)))


class ReportFormatter(base.ListFormatter):
    """A format that writes the whole run, not only the rows."""

    def add_argument_group(self, parser):
        pass

    def emit_list(self, column_names, data, stdout, parsed_args):
        report = getattr(parsed_args, 'xloud_report', None)
        if report is None:
            raise errors.Explained('this format is only for `openstack '
                                   'network harden audit`')
        stdout.write(self.render(report))

    def render(self, report):
        raise NotImplementedError
