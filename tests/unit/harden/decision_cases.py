"""Cases and helpers of test_decisions.py, shared with the modules
that test the same code (a test module imports no other)."""

import datetime
from tests.unit import endorse
from tests.unit.clouds import FakeNeutron
from tests.unit.clouds import FakeKeystone
from xloudclient.audit import accepted
from xloudclient.audit import catalog
from xloudclient.audit import inventory as inventory_mod
from xloudclient.audit import runner
from xloudclient.audit.settings import Settings
from xloudclient.harden import decisions
from xloudclient import records as rec
from xloudclient import harden


TODAY = datetime.date(2026, 11, 28)


NOW = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.timezone.utc)


SSH = 'sg-ingress-ssh-from-world'


RULE = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'


EXT = ['security-group', 'router', 'port-security', 'standard-attr-tag',
       'allowed-address-pairs']


def _rule(rid, **kw):
    base = {'id': rid, 'security_group_id': 'bastion', 'project_id': 'p',
            'direction': 'ingress', 'ethertype': 'IPv4', 'protocol': 'tcp',
            'port_range_min': 22, 'port_range_max': 22,
            'remote_ip_prefix': '0.0.0.0/0', 'remote_group_id': None,
            'remote_address_group_id': None}
    base.update(kw)
    return base


def _cloud(group_tags=(), router_tags=(), endorsed=True):
    """A cloud whose decisions (group_tags, router_tags) an admin accepted
    (endorsed) or that are only recorded (endorsed=False)."""
    cloud = _neutron(group_tags, router_tags)
    cloud.keystone = FakeKeystone(('p', 'q'))
    if endorsed:
        _endorse_all(cloud)
    return cloud


def _endorse_all(cloud):
    """Endorse every record in the cloud, as an admin would have."""
    for project, found in endorse.of_cloud(cloud).items():
        tags = cloud.keystone.data[project]['tags']
        tags += [e.tag for es in found.values() for e in es
                 if e.tag not in tags]


def _neutron(group_tags, router_tags):
    return FakeNeutron(
        extensions=EXT,
        security_groups=[{'id': 'bastion', 'name': 'bastion',
                          'project_id': 'p', 'tags': list(group_tags)},
                         {'id': 'web', 'name': 'web', 'project_id': 'q',
                          'tags': []}],
        security_group_rules=[
            _rule(RULE), _rule('r2', security_group_id='web',
                               project_id='q')],
        routers=[{'id': 'r-edge', 'name': 'edge', 'project_id': 'p',
                  'tags': list(router_tags),
                  'external_gateway_info': {'network_id': 'ext',
                                            'enable_snat': True}}],
        networks=[], ports=[], floatingips=[])


def _decision(check, item, review=datetime.date(2027, 2, 1),
              reason='by design', granted=NOW):
    return rec.make_decision_tag(check, item, review, granted, 'admin',
                                 reason)


def _audit(cloud, checks=(SSH, 'router-external-gateway',
                          'accepted-review-overdue',
                          'accepted-record-invalid'), endorsements=None):
    """The audit with every record in the cloud endorsed, as an admin's
    accept leaves it (or with the endorsements given)."""
    return runner.run(cloud, runner.Scan(
        tuple(catalog.select(list(checks))), settings=Settings(today=TODAY),
        extra_types=tuple(accepted.TAGGABLE)),
        _endorsements(cloud) if endorsements is None else endorsements)


def _fetch(client, types, **kw):
    """The inventory as the commands read it: with the endorsements."""
    return inventory_mod.fetch(client, types,
                               endorsements=_endorsements(client), **kw)


def _write(client, tgt, reason, review_by, granted_by, renew=False,
           dry_run=False, now=None, admin=True, inventory=None):
    """decisions.accept as granted_by, with the Keystone beside client:
    (the Outcome's words, the record written)."""
    from tests.unit import faults
    from tests.unit import run_contexts

    ctx = run_contexts.context(
        client, faults.identity_of(client), granted_by,
        ('admin',) if admin else ('member',), now=now)
    outcome = decisions.accept(ctx, tgt, rec.Terms(reason, review_by, renew,
                                                   dry_run), inventory)
    return str(outcome), outcome.record


def _unwrite(client, rtype, holder, found, **kw):
    """accept.revoke as the command runs it: the endorsements read, the
    Keystone beside client."""
    from tests.unit import faults

    inv = _fetch(getattr(client, 'cloud', client),   # not through faults
                 tuple(accepted.TAGGABLE))
    endorsed = {d.tag: es for d in found
                for es in [accepted.endorsements(inv, rtype, holder, d)]
                if es}
    from tests.unit import run_contexts

    ctx = run_contexts.context(client, faults.identity_of(client))
    return str(decisions.revoke(ctx, decisions.Held(rtype, holder, found,
                                                    endorsed), **kw))


def _endorsements(client):
    """The Keystone endorsements, read through client's own faults; a
    failure refuses as the commands do (osc/decisions.py)."""
    from tests.unit import faults
    from xloudclient.cloud import keystone
    from xloudclient.cloud import neutron

    try:
        projects = keystone.projects(faults.identity_of(client))
    except Exception as e:
        raise harden.Refused('cannot read what is accepted already '
                             '(%s); nothing was changed'
                             % neutron.describe(e))
    return {pid: rec.endorsements_in(p['tags'])
            for pid, p in projects.items()}
