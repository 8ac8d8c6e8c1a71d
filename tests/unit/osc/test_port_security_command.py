"""`port security ...` as commands: what each format prints."""

import csv
import io
import json

from tests.unit import test_port_security as base
from tests.unit.osc import harness
from xloudclient.osc import port_security


def _documented():
    cloud = base._cloud(project_id='pid')
    base._disable(cloud)
    return cloud


def _list(*fmt):
    return harness.run(port_security.ListPortSecurityExceptions, list(fmt),
                       _documented())


def test_text_formats_print_groups_as_text_and_json_as_a_list():
    value = _list('-f', 'value', '-c', 'Recorded Security Groups')
    assert value.out.strip() == '%s, %s' % (base.SG1, base.SG2)
    [row] = csv.DictReader(io.StringIO(_list('-f', 'csv').out))
    assert row['Recorded Security Groups'] == '%s, %s' % (base.SG1,
                                                          base.SG2)
    assert (row['Project'], row['Project Name']) == ('pid', 'demo')
    [row] = json.loads(_list('-f', 'json').out)
    assert row['Recorded Security Groups'] == [base.SG1, base.SG2]
    assert row['Status'] == 'documented'


def test_the_table_shows_the_project_by_name():
    table = _list('-f', 'table')
    assert '| demo ' in table.out and '| pid ' not in table.out
