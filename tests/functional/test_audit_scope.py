"""A project's audit sees every rule of its groups, whoever made it."""

import json

SSH = 'sg-ingress-ssh-from-world'
AUDIT = ('network', 'harden', 'audit', '--fail-on', 'none', '-f', 'json')


def test_an_admins_rule_in_a_projects_group_is_in_that_projects_audit(
        admin, demo, unique, cleanup):
    """An admin adding a rule to a project's group leaves the rule in the
    admin's own project: the project's audit (by the admin, and by the
    project's member) must still report it."""
    demo_project = demo.json('token', 'issue')['project_id']
    group = admin.json('security', 'group', 'create', '--project',
                       demo_project, unique)['id']
    cleanup.append((admin, 'security', 'group', 'delete', group))
    rule = admin.json('security', 'group', 'rule', 'create', group,
                      '--protocol', 'tcp', '--dst-port', '22',
                      '--remote-ip', '0.0.0.0/0')
    assert rule['project_id'] != demo_project      # the premise
    for who, scope in ((admin, ('--project', demo_project)), (demo, ())):
        rows = json.loads(who.run(*AUDIT, *scope).stdout)
        assert [r['Project'] for r in rows if r['Check'] == SSH
                and r['Resource ID'] == rule['id']] == [demo_project]
