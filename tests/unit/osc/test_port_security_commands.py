"""`port security ...` as commands: what each format prints."""

import csv
import io
import json

from tests.unit import endorse
from tests.unit.clouds import FakeKeystone
from tests.unit.harden import port_security_cases as base
from tests.unit.osc import harness
from xloudclient.osc import port_security_commands
from xloudclient import records as rec


def _documented():
    """A port disabled with a record an admin endorsed."""
    cloud = base._cloud(project_id='pid')
    base._disable(cloud)
    cloud.keystone = FakeKeystone(('pid',))
    cloud.keystone.data['pid']['name'] = 'demo'
    for found in endorse.of_records({'ports': list(
            cloud.ports.values())}).values():
        cloud.keystone.data['pid']['tags'] += [
            e.tag for es in found.values() for e in es]
    return cloud


def _list(*fmt):
    return harness.run(port_security_commands.ListPortSecurityExceptions,
                       list(fmt), _documented())


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


def _cmd(command_class, cloud, *argv, roles=('admin',)):
    return harness.run(command_class, ['-f', 'json'] + list(argv), cloud,
                       auth_ref=harness.auth(roles=roles, project_id='pid'))


def _endorsed_records(cloud):
    """The records on p1 an endorsement in Keystone names."""
    from xloudclient import records as rec

    names = rec.endorsements_in(cloud.keystone.tags('pid'))
    return [r.reason for r in rec.records_in(cloud.ports['p1']['tags'])[0]
            if rec.digest('ports', 'p1', r.tag) in names]


def test_an_admins_disable_is_endorsed_renew_and_enable_drop_the_old():
    cloud = base._cloud(project_id='pid')
    for group in cloud.security_groups:
        group['project_id'] = 'pid'
    cloud.keystone = FakeKeystone(('pid',))
    gone = rec.endorsement_tag('ports', 'gone-port', 'xloud-psx:v1 x',
                               'admin')
    cloud.keystone.data['pid']['tags'].append(gone)
    out = json.loads(_cmd(port_security_commands.DisablePortSecurity,
                          cloud, 'fw', '--reason', 'vSRX').out)
    assert out['Action'] == 'disabled'
    assert _endorsed_records(cloud) == ['vSRX']
    assert gone not in cloud.keystone.tags('pid')      # pruned
    out = json.loads(_cmd(port_security_commands.DisablePortSecurity,
                          cloud, 'fw', '--reason', 'vSRX 2', '--renew').out)
    assert out['Action'] == 'renewed'
    assert _endorsed_records(cloud) == ['vSRX 2']
    assert len(cloud.keystone.tags('pid')) == 1        # the old one went
    _cmd(port_security_commands.EnablePortSecurity, cloud, 'fw')
    assert cloud.keystone.tags('pid') == []


def test_a_members_disable_is_a_request_that_documents_nothing():
    cloud = base._cloud(project_id='pid')
    cloud.keystone = FakeKeystone(('pid',))
    result = _cmd(port_security_commands.DisablePortSecurity, cloud, 'fw',
                  '--reason', 'my firewall', roles=('member',))
    assert result.code == 0, result.error
    out = json.loads(result.out)
    assert out['Action'] == 'disabled (requested)'
    assert ('the exception is a request: the audit reports the port until '
            'an admin runs `openstack network harden approve '
            'port-security-disabled p1 --request ') in out['Notes']
    assert cloud.keystone.tags('pid') == []
    [row] = json.loads(_cmd(port_security_commands.ListPortSecurityExceptions,
                            cloud).out)
    assert row['Status'] == 'requested'
