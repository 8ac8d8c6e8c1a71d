"""'From anywhere' as address sets, through the real CLI: every spelling
of the whole internet planted in the devcloud is reported, and the private
look-alikes are not."""

import json
import uuid

import pytest

SSH = 'sg-ingress-ssh-from-world'


@pytest.fixture(scope='module')
def planted(devcloud, demo):
    name = 'xlr-%s' % uuid.uuid4().hex[:6]
    made, undo = {}, []

    def group(label):
        made[label] = demo.json('security', 'group', 'create',
                                '%s-%s' % (name, label))['id']
        undo.append(('security', 'group', 'delete', made[label]))
        return made[label]

    def rule(label, group_id, *remote, ethertype='IPv4', port='22'):
        made[label] = demo.json(
            'security', 'group', 'rule', 'create', group_id, '--ingress',
            '--ethertype', ethertype, '--protocol', 'tcp', '--dst-port',
            port, *remote)['id']

    def address_group(label, *addresses):
        args = [a for address in addresses for a in ('--address', address)]
        made[label] = demo.json('address', 'group', 'create', *args,
                                '%s-%s' % (name, label))['id']
        undo.append(('address', 'group', 'delete', made[label]))
        return made[label]

    try:
        halves = group('halves')
        rule('v4-low', halves, '--remote-ip', '0.0.0.0/1')
        rule('v4-high', halves, '--remote-ip', '128.0.0.0/1')
        six = group('six')
        rule('v6-global', six, '--remote-ip', '2000::/3',
             ethertype='IPv6')
        ags = group('address-groups')
        world = address_group('ag-world', '0.0.0.0/0')
        split = address_group('ag-split', '0.0.0.0/1', '128.0.0.0/1')
        private = address_group('ag-private', '10.0.0.0/8')
        rule('ag-world-rule', ags, '--remote-address-group', world)
        rule('ag-split-rule', ags, '--remote-address-group', split,
             port='2222')    # another port: only this rule admits it
        looks = group('look-alikes')
        rule('zero-eight', looks, '--remote-ip', '0.0.0.0/8')
        rule('ten', looks, '--remote-ip', '10.0.0.0/8')
        rule('mapped', looks, '--remote-ip', '::ffff:0.0.0.0/96',
             ethertype='IPv6')
        rule('ula', looks, '--remote-ip', 'fd00::/8', ethertype='IPv6')
        rule('ag-private-rule', looks, '--remote-address-group', private)
        lonely = group('one-half')
        rule('only-low', lonely, '--remote-ip', '0.0.0.0/1')
        yield made
    finally:
        for args in reversed(undo):
            demo.run(*args, check=False)


def _audit(demo, *checks):
    args = [a for c in checks for a in ('--check', c)]
    proc = demo.run('network', 'harden', 'audit', '--fail-on', 'none',
                    '-f', 'json', *args)
    return json.loads(proc.stdout)


def test_every_spelling_of_anywhere_is_reported(demo, planted):
    rows = _audit(demo, SSH)
    found = {r['Resource ID']: r for r in rows}
    for label in ('v4-low', 'v4-high', 'v6-global', 'ag-world-rule'):
        assert planted[label] in found, '%s not reported' % label
    low = found[planted['v4-low']]
    assert low['Detail'].endswith('from anywhere together with rule %s'
                                  % planted['v4-high'])
    assert low['Remediation'] == 'openstack security group rule delete ' \
        '%s %s' % (planted['v4-low'], planted['v4-high'])
    for label in ('zero-eight', 'ten', 'mapped', 'ula', 'ag-private-rule',
                  'only-low'):
        assert planted[label] not in found, '%s wrongly reported' % label


def test_a_split_address_group_is_anywhere_for_its_port(demo, planted):
    rows = _audit(demo, 'sg-ingress-sensitive-from-world')
    assert planted['ag-split-rule'] not in {r['Resource ID'] for r in rows}
    proc = demo.run('network', 'harden', 'audit', '--fail-on', 'none',
                    '-f', 'json', '--check',
                    'sg-ingress-sensitive-from-world',
                    '--sensitive-port', 'alt-ssh=2222')
    rows = json.loads(proc.stdout)
    [row] = [r for r in rows if r['Resource ID'] == planted['ag-split-rule']]
    assert row['Detail'].endswith(': alt-ssh')
