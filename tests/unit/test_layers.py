"""The package's layers import downward only, and no two modules share a
name (doc/source/architecture.rst)."""

import ast
import collections
import pathlib

import xloudclient

PACKAGE = pathlib.Path(xloudclient.__file__).parent
# Lowest first: a module may import its own layer and the ones before it.
LAYERS = ('base', 'cloud', 'audit', 'harden', 'osc')


def _module(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def _layer(module):
    parts = module.split('.')
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return 'base'          # xloudclient.records, files, inert_text, errors


def _imports(path):
    """Every xloudclient module a file imports, at any depth."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith('xloudclient'):
            for alias in node.names:
                candidate = '%s.%s' % (node.module, alias.name)
                found.add(candidate if _exists(candidate) else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names
                         if a.name.startswith('xloudclient'))
    return found


def _exists(module):
    base = PACKAGE.parent.joinpath(*module.split('.'))
    return base.with_suffix('.py').exists() or (base / '__init__.py').exists()


def _sources():
    return sorted(PACKAGE.rglob('*.py'))


def test_every_import_points_down_or_sideways():
    upward = []
    for path in _sources():
        here = _module(path)
        for target in _imports(path):
            if target == 'xloudclient':
                continue
            if LAYERS.index(_layer(target)) > LAYERS.index(_layer(here)):
                upward.append('%s imports %s' % (here, target))
    assert not upward, upward


def test_the_layer_rule_catches_an_upward_import(tmp_path):
    """The check above can fail: a cloud module importing the audit."""
    bad = PACKAGE / 'cloud' / 'neutron.py'
    assert 'xloudclient.audit' not in ' '.join(_imports(bad))
    fake = tmp_path / 'x.py'
    fake.write_text('def f():\n    from xloudclient.audit import runner\n')
    assert _imports(fake) == {'xloudclient.audit.runner'}
    assert LAYERS.index(_layer('xloudclient.audit.runner')) > \
        LAYERS.index(_layer('xloudclient.cloud.neutron'))


def test_no_two_modules_share_a_file_name():
    names = collections.defaultdict(list)
    for path in _sources():
        if path.name != '__init__.py':
            names[path.name].append(str(path.relative_to(PACKAGE)))
    shared = {n: p for n, p in names.items() if len(p) > 1}
    assert not shared, shared


def _path_literal(node):
    """Whether an expression is a REST path: '/ports', '/ports/%s' % x,
    f'/ports/{x}' or '/ports/' + x."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.startswith('/')
    if isinstance(node, ast.BinOp):
        return _path_literal(node.left)
    if isinstance(node, ast.JoinedStr) and node.values:
        return _path_literal(node.values[0])
    return False


def _http_calls(path):
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and \
                isinstance(node.func, ast.Attribute) and \
                node.func.attr in ('get', 'put', 'post', 'delete', 'patch',
                                   'head') and \
                node.args and _path_literal(node.args[0]):
            calls.append('%s:%d .%s' % (path.name, node.lineno,
                                        node.func.attr))
        if isinstance(node, ast.Attribute) and node.attr == 'sdk_connection':
            calls.append('%s:%d sdk_connection' % (path.name, node.lineno))
    return calls


def test_only_the_cloud_layer_speaks_http():
    """Requests (client.get('/ports'), ...) and openstacksdk's connection
    live in cloud/ only; osc/plugin.py hands the connection to it."""
    calls = []
    for path in _sources():
        if _layer(_module(path)) == 'cloud' or path.name == 'plugin.py':
            continue
        calls += _http_calls(path)
    assert not calls, calls


def test_the_http_rule_sees_a_request(tmp_path):
    fake = tmp_path / 'x.py'
    fake.write_text("def f(c, i):\n    c.delete('/ports/%s' % i)\n"
                    "    c.get(f'/networks/{i}')\n    c.sdk_connection\n")
    assert len(_http_calls(fake)) == 3


def test_no_function_is_longer_than_50_lines():
    """A function a reader can hold; classes may be longer."""
    long = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 50:
                    long.append('%s:%d %s (%d lines)' % (
                        path.relative_to(PACKAGE), node.lineno, node.name,
                        lines))
    assert not long, long
