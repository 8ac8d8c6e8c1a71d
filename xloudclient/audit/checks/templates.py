"""Default security-group rule templates (Neutron 2023.2 and later).

Neutron copies its templates into every security group it creates from
then on: into each new project's default group (used_in_default_sg) and
into every other new group (used_in_non_default_sg). A template that lets
a service in from anywhere opens it in every such group; the groups that
exist already keep what they have (the world checks read those).
Templates are the cloud's, not a project's: an all-projects audit reads
them. A Neutron without them (before 2023.2) gives every new default group
the same fixed rules, none from anywhere: nothing to report.
"""

from xloudclient.audit import reach
from xloudclient.audit import registry
from xloudclient.audit.registry import check
from xloudclient.audit.registry import Hit
from xloudclient.audit import rules
from xloudclient.audit import settings as settings_mod

TEMPLATES = 'default_security_group_rules'


def _copied_to(template):
    """Which new groups Neutron gives the template, in words; '' for
    none."""
    default = template.get('used_in_default_sg') is True
    other = template.get('used_in_non_default_sg') is True
    if default and other:
        return 'every new security group'
    if default:
        return "every new project's default group"
    return 'every new security group but the default ones' if other else ''


@check('sg-template-from-world', 'high',
       'a default security-group rule template (what Neutron copies into '
       'new groups) that lets SSH, a sensitive port or any protocol in '
       'from anywhere: every new group it is used in gets it; critical for '
       'any protocol',
       needs=(TEMPLATES, 'address_groups'))
def template_from_world(inventory, settings):
    services = (settings_mod.SSH,) + tuple(settings.sensitive_ports)
    for template in inventory.default_security_group_rules:
        whom = _copied_to(template)
        if not whom or not rules.is_ingress(template) or \
                template.get('remote_group_id'):
            continue        # unused; egress; a group (PARENT: its own)
        v = reach.version(template)
        if not reach.PUBLIC[v].issubset(reach.admitted(template,
                                                       inventory)):
            continue        # not from anywhere
        names = [name for name, proto, lo, hi in services
                 if rules.lets_in(template, proto, lo, hi)]
        if not names:
            continue
        anything = rules.any_protocol(template)
        yield Hit(
            'default security group rule',
            {'id': template['id'], 'name': 'template',
             'project_id': ''},
            '%s: %s gets it%s' % (
                rules.describe(template), whom, '' if anything else
                ', open to anywhere for %s' % registry.listing(
                    names, noun='services')),
            # the plan first (backup and restore: harden/default_rules.py)
            ('openstack', 'security', 'group', 'harden', 'template',
             template['id'], '--dry-run'),
            severity='critical' if anything else None,
            basis=(whom,) + tuple(names))
