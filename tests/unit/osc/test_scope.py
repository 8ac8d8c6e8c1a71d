import argparse
import types

from osc_lib import exceptions
import pytest

from xloudclient.osc import scope


def _auth(roles=('member',), project='demo', project_id='pid'):
    return types.SimpleNamespace(
        role_names=list(roles), project_id=project_id, project_name=project,
        project_domain_id='default', project_domain_name='Default',
        username='someone')


class _NoIdentity:
    @property
    def identity(self):
        raise AssertionError('identity must not be called')


def _cm(auth_ref, connection=None):
    return types.SimpleNamespace(auth_ref=auth_ref,
                                 sdk_connection=connection or _NoIdentity())


def _args(*argv):
    parser = argparse.ArgumentParser()
    scope.add_scope_options(parser)
    return parser.parse_args(list(argv))


def test_default_is_current_project():
    where = scope.resolve_scope(_cm(_auth()), _args())
    assert (where.project_id, where.all_projects) == ('pid', False)


def test_all_projects_needs_admin():
    with pytest.raises(exceptions.CommandError, match='admin role'):
        scope.resolve_scope(_cm(_auth()), _args('--all-projects'))


def test_all_projects_for_admin():
    where = scope.resolve_scope(_cm(_auth(roles=('admin', 'member'))),
                                _args('--all-projects'))
    assert where.all_projects and where.project_id is None


@pytest.mark.parametrize('given', ['demo', 'pid'])
def test_own_project_needs_no_lookup(given):
    where = scope.resolve_scope(_cm(_auth()), _args('--project', given))
    assert where.project_id == 'pid'


def test_project_and_all_projects_exclusive():
    with pytest.raises(SystemExit):
        _args('--project', 'x', '--all-projects')


def test_project_domain_alone_refused():
    with pytest.raises(exceptions.CommandError, match='--project'):
        scope.resolve_scope(_cm(_auth()), _args('--project-domain', 'd'))


def test_other_project_looked_up():
    found = types.SimpleNamespace(id='other-id', name='other')
    calls = []

    class Identity:
        def find_project(self, name, ignore_missing, **query):
            calls.append((name, ignore_missing, query))
            return found

    conn = types.SimpleNamespace(identity=Identity())
    where = scope.resolve_scope(_cm(_auth(roles=('admin',)), conn),
                                _args('--project', 'other'))
    assert where.project_id == 'other-id'
    assert calls == [('other', False, {})]


def _forbidden():
    """A 403 as every supported openstacksdk raises it."""
    from openstack import exceptions as sdk_exc

    cls = getattr(sdk_exc, 'ForbiddenException', sdk_exc.HttpException)
    return cls('403', http_status=403)


def _not_found():
    from openstack import exceptions as sdk_exc

    return sdk_exc.ResourceNotFound('no', http_status=404)


def test_forbidden_lookup_is_one_clear_error():
    class Identity:
        def find_project(self, name, ignore_missing, **query):
            raise _forbidden()

    conn = types.SimpleNamespace(identity=Identity())
    with pytest.raises(exceptions.CommandError, match='not allowed'):
        scope.resolve_scope(_cm(_auth(), conn), _args('--project', 'x'))


@pytest.mark.parametrize('error', [_forbidden, _not_found])
def test_an_unknown_domain_is_named_as_the_domain(error):
    class Identity:
        def find_domain(self, name, ignore_missing):
            raise error()

        def find_project(self, *a, **kw):
            raise AssertionError('not reached')

    conn = types.SimpleNamespace(identity=Identity())
    with pytest.raises(exceptions.CommandError, match="no domain 'nosuch'"):
        scope.resolve_scope(_cm(_auth(), conn),
                            _args('--project', 'other',
                                  '--project-domain', 'nosuch'))


def test_other_keystone_errors_are_not_taken_for_a_refusal():
    from openstack import exceptions as sdk_exc

    class Identity:
        def find_project(self, name, ignore_missing, **query):
            raise sdk_exc.HttpException('boom', http_status=500)
    conn = types.SimpleNamespace(identity=Identity())
    with pytest.raises(sdk_exc.HttpException):
        scope.resolve_scope(_cm(_auth(), conn), _args('--project', 'x'))


def test_project_filter_of_no_one_and_several_scopes():
    one, two = (scope.Scope(pid, 'n-' + pid) for pid in ('p1', 'p2'))
    assert scope.project_filter(None) is None
    assert scope.project_filter([one]) == 'p1'
    assert scope.project_filter([one, two]) == ['p1', 'p2']
