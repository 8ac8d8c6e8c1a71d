"""The plugin's registration: loadable, light, no name collisions."""

import importlib.metadata
import subprocess
import sys

from cliff import command

OUR_GROUP = 'openstack.xloud.v1'


def _entry_points(group):
    return list(importlib.metadata.entry_points(group=group))


def _command_name(entry_point):
    return entry_point.name.replace('_', ' ')


def test_plugin_is_registered_with_openstackclient():
    [ep] = [ep for ep in _entry_points('openstack.cli.extension')
            if ep.value == 'xloudclient.osc.plugin']
    plugin = ep.load()
    assert plugin.API_NAME == 'xloud'
    assert OUR_GROUP == 'openstack.%s.v%s' % (
        plugin.API_NAME, plugin.DEFAULT_API_VERSION)


def test_every_command_loads_as_a_cliff_command():
    eps = _entry_points(OUR_GROUP)
    assert eps
    for ep in eps:
        assert issubclass(ep.load(), command.Command), ep.name


def test_no_command_collides_with_another_openstack_command():
    ours = {_command_name(ep) for ep in _entry_points(OUR_GROUP)}
    groups = {ep.group for dist in importlib.metadata.distributions()
              for ep in dist.entry_points
              if ep.group.startswith('openstack.')
              and ep.group != OUR_GROUP}
    # Sanity: python-openstackclient's own groups are really there.
    assert 'openstack.network.v2' in groups
    theirs = {}
    for group in groups:
        for ep in _entry_points(group):
            theirs[_command_name(ep)] = group
    clashes = {name: theirs[name] for name in ours if name in theirs}
    assert not clashes, 'command names already taken: %s' % clashes


def test_collision_check_would_catch_a_clash():
    # The check above compares names the way cliff does ('_' -> ' ').
    [ep] = [ep for ep in _entry_points('openstack.network.v2')
            if ep.name == 'network_list']
    assert _command_name(ep) == 'network list'


def test_command_modules_import_nothing_heavy():
    """Only stdlib, cliff and osc-lib at module top level (start-up cost)."""
    modules = sorted({ep.value.split(':')[0]
                      for ep in _entry_points(OUR_GROUP)} |
                     {'xloudclient.osc.plugin'})
    code = (
        'import sys, cliff.lister, cliff.show, osc_lib.command.command, '
        'osc_lib.exceptions, osc_lib.utils\n'
        'before = set(sys.modules)\n'
        'import %s\n'
        'new = sorted(m for m in set(sys.modules) - before '
        'if m.split(".")[0] not in sys.stdlib_module_names)\n'
        'print("\\n".join(new))\n' % ', '.join(modules))
    out = subprocess.run([sys.executable, '-c', code], check=True,
                         capture_output=True, text=True).stdout.split()
    allowed = ('xloudclient.osc', 'osc_lib.', 'cliff.')
    heavy = [m for m in out if not m.startswith(allowed)
             and m != 'xloudclient']
    assert not heavy, 'imported at module top level: %s' % heavy


def test_every_command_shows_cloud_text_inert_and_errors_in_one_line():
    """The class of defect, not its instances: a command that printed a
    project's names raw, or let an error through unexplained, would not
    inherit these."""
    from xloudclient.osc import common

    for ep in _entry_points(OUR_GROUP):
        cls = ep.load()
        assert issubclass(cls, common.InertText), ep.name
        assert issubclass(cls, common.OneLineErrors), ep.name
