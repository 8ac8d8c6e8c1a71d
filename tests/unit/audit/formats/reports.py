"""Reports over plain data for the format tests."""

import datetime

from xloudclient.audit import catalog
from xloudclient.audit.finding import Finding
from xloudclient.audit.report import Report

EVIL = '<script>alert("x")</script> & \'q\' \x00\x1b ]]>'


def finding(check='sg-ingress-ssh-from-world', severity='high',
            project='p1', rid='r1', name='web rule', detail='ingress IPv4 '
            'tcp port 22 from 0.0.0.0/0', fix='openstack security group '
            'rule delete r1'):
    return Finding(severity, check, 'security group rule', rid, name,
                   project, detail, fix)


def report(findings=(), names=None, checks=None, not_run=None, hidden=0):
    return Report(
        findings=list(findings),
        checks=checks if checks is not None else catalog.all_checks(),
        not_run=not_run or {}, limitations=[], hidden=hidden,
        scope='all projects', cloud='http://keystone.example:5000/v3',
        region='RegionOne',
        started=datetime.datetime(2026, 11, 28, 9, 30, 0,
                                  tzinfo=datetime.timezone.utc),
        seconds=1.25, resources={'ports': 10, 'networks': 2}, requests=7,
        version='1.2.3', project_names=names or {'p1': 'web-team'})
