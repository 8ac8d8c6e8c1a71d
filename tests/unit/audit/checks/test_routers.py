from tests.unit.audit.checks.helpers import run


def _router(rid, gateway):
    return {'id': rid, 'name': rid, 'project_id': 'p',
            'external_gateway_info': gateway}


ROUTERS = [
    _router('none', None),
    _router('snat', {'network_id': 'pub', 'enable_snat': True}),
    _router('nosnat', {'network_id': 'pub', 'enable_snat': False}),
    _router('hidden', {'network_id': 'pub'}),
]


def test_gateway_graded_by_snat():
    found = {f.resource_id: f for f in run('router-external-gateway',
                                           routers=ROUTERS)}
    assert sorted(found) == ['hidden', 'nosnat', 'snat']
    assert found['snat'].severity == 'info'
    assert found['hidden'].severity == 'info'
    assert 'not visible' in found['hidden'].detail
    assert found['nosnat'].severity == 'medium'
    assert found['nosnat'].remediation == (
        'openstack router set --external-gateway pub --enable-snat nosnat')
