import datetime

import pytest

from xloudclient import records as rec

NOW = datetime.datetime(2026, 11, 26, 23, 10, 5,
                        tzinfo=datetime.timezone.utc)
REVIEW = datetime.date(2027, 2, 24)
SGS = ('a195e168-6ce3-48b6-b391-00cbfbd4a6bb',
       'afda6628-3c2b-4179-80f4-6e215f719839')


def _tag(reason='FW appliance', sgs=SGS, by='admin', nonce='3f2a'):
    return rec.make_tag(REVIEW, NOW, by, sgs, reason, nonce=nonce)


def test_exact_format_is_documented():
    assert _tag() == (
        'xloud-psx:v1 review=2027-02-24 granted=20261126T231005Z-3f2a '
        'by=admin sg=a195e1686ce348b6b39100cbfbd4a6bb,'
        'afda66283c2b417980f46e215f719839 reason=FW appliance')


@pytest.mark.parametrize('reason', [
    'FW/NAT appliance', '50% of traffic', 'ticket #12: a=b c=d',
    'sg=x reason=y', 'Pare-feu réseau ✓', "quotes ' \" and , ; ?"])
def test_round_trip(reason):
    record = rec.parse_tag(_tag(reason, by='ops/admin'))
    assert record.reason == reason
    assert record.granted_by == 'ops/admin'
    assert record.review_by == REVIEW
    assert record.granted == NOW
    assert record.security_groups == SGS
    assert record.nonce == '3f2a'


def test_stored_tag_has_no_slash_and_is_ascii():
    tag = _tag('a/b é')
    assert '/' not in tag and tag.isascii()


def test_no_security_groups():
    assert rec.parse_tag(_tag(sgs=())).security_groups == ()


@pytest.mark.parametrize('reason', ['', '   ', None, 'two\nlines',
                                    'tab\there'])
def test_bad_reasons(reason):
    with pytest.raises(rec.RecordError):
        _tag(reason)


def test_reason_is_stripped():
    assert rec.parse_tag(_tag('  padded  ')).reason == 'padded'


def test_too_long_names_the_limit():
    with pytest.raises(rec.RecordError, match='at most 109 fit'):
        _tag('x' * 110)
    assert len(_tag('x' * 109)) == rec.MAX_TAG_LEN


def test_more_groups_leave_less_room():
    with pytest.raises(rec.RecordError):
        _tag('x' * 100, sgs=SGS * 2)


def test_unrelated_tags_are_not_records():
    assert rec.parse_tag('production') is None
    assert rec.records_in(['production', 'xloud-other']) == ([], [])


@pytest.mark.parametrize('tag', [
    'xloud-psx:v1 garbage',
    'xloud-psx:v1 review=2027-02-30 granted=20261126T231005Z-3f2a by=a '
    'sg= reason=x',
    'xloud-psx:v1 review=2027-02-24 granted=20261126T231005Z-3f2a by=a '
    'sg= reason=',
])
def test_malformed_records(tag):
    with pytest.raises(rec.RecordError):
        rec.parse_tag(tag)
    assert rec.records_in([tag]) == ([], [tag])


def test_records_newest_first():
    old = rec.make_tag(REVIEW, NOW - datetime.timedelta(days=1), 'a', (),
                       'old', nonce='0000')
    new = _tag('new')
    records, _ = rec.records_in([old, 'x', new])
    assert [r.reason for r in records] == ['new', 'old']


def test_days_left_and_overdue():
    record = rec.parse_tag(_tag())
    assert record.days_left(datetime.date(2027, 2, 20)) == 4
    assert not record.is_overdue(REVIEW)
    assert record.is_overdue(REVIEW + datetime.timedelta(days=1))
    assert record.days_left(datetime.date(2027, 3, 1)) == -5


def test_user_names_with_spaces_round_trip():
    # LDAP-backed Keystone users are often "Jane Doe" (issue 10, defect 11)
    tag = _tag(by='Jane Doe')
    assert ' by=Jane%20Doe ' in tag
    assert rec.parse_tag(tag).granted_by == 'Jane Doe'


@pytest.mark.parametrize('char', ['\u2028', '\u2029', '\u0085', '\u009b',
                                  '\u202e', '\u200b', '\ufeff', '\x7f',
                                  '\ue000'])
def test_reasons_with_invisible_or_line_breaking_characters_are_refused(
        char):
    with pytest.raises(rec.RecordError, match='U\\+%04X' % ord(char)):
        _tag('firewall %s appliance' % char)


def test_pending_and_confirmed_records():
    pending = rec.make_tag(REVIEW, NOW, 'a', SGS, 'fw', nonce='0001',
                           pending=True)
    assert pending.startswith('xloud-psx:p1 ')
    record = rec.parse_tag(pending)
    assert record.pending
    confirmed = record.confirmed_tag()
    assert confirmed == rec.make_tag(REVIEW, NOW, 'a', SGS, 'fw',
                                     nonce='0001')
    assert not rec.parse_tag(confirmed).pending
    assert rec.documenting([pending]) is None
    assert rec.documenting([pending, confirmed]).tag == confirmed


def test_a_group_id_that_is_not_a_uuid_is_kept_as_it_is():
    record = rec.parse_tag(_tag(sgs=('abc-def',)))
    assert record.security_groups == ('abc-def',)


def test_a_confirmed_record_confirms_to_itself():
    tag = _tag()
    assert rec.parse_tag(tag).confirmed_tag() == tag


def test_the_grant_time_is_written_in_utc_whatever_the_local_zone(
        monkeypatch):
    import time
    monkeypatch.setenv('TZ', 'Asia/Tokyo')
    time.tzset()
    try:
        tokyo = datetime.timezone(datetime.timedelta(hours=9))
        tag = rec.make_tag(REVIEW, NOW.astimezone(tokyo), 'a', (), 'fw',
                           nonce='0001')
    finally:
        monkeypatch.delenv('TZ')
        time.tzset()
    assert ' granted=20261126T231005Z-0001 ' in tag


def test_a_malformed_record_does_not_hide_the_next_one():
    good = _tag()
    records, malformed = rec.records_in(['xloud-psx:v1 junk', good])
    assert [r.tag for r in records] == [good]
    assert malformed == ['xloud-psx:v1 junk']


# --- accepted findings: the same records for every check ------------------

RULE = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'


def test_a_decision_round_trips_with_its_check_and_item():
    tag = rec.make_decision_tag('sg-ingress-ssh-from-world', RULE,
                                datetime.date(2027, 2, 24), NOW,
                                'Jane Doe', 'bastion: SSH by design')
    assert tag.startswith('xloud-acc:v1 check=sg-ingress-ssh-from-world '
                          'item=0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d ')
    record = rec.parse_decision(tag)
    assert (record.check, record.item, record.granted_by, record.reason,
            record.review_by) == (
        'sg-ingress-ssh-from-world', RULE, 'Jane Doe',
        'bastion: SSH by design', datetime.date(2027, 2, 24))
    assert not record.pending and record.tag == tag


def test_an_item_with_slashes_and_an_empty_item():
    tag = rec.make_decision_tag('aap-wide-prefix', '10.0.0.0/16',
                                datetime.date(2027, 2, 24), NOW, 'a',
                                'k8s pod range')
    assert ' item=10.0.0.0%2F16 ' in tag
    assert rec.parse_decision(tag).item == '10.0.0.0/16'
    tag = rec.make_decision_tag('router-external-gateway', '',
                                datetime.date(2027, 2, 24), NOW, 'a',
                                'edge router')
    assert rec.parse_decision(tag).item == ''


def test_port_security_records_are_decisions_of_their_check():
    psx = rec.make_tag(datetime.date(2027, 2, 24), NOW, 'a', (),
                       'appliance')
    pending = rec.make_tag(datetime.date(2027, 2, 24), NOW, 'a', (),
                           'running', pending=True)
    acc = rec.make_decision_tag('fip-unassociated', '',
                                datetime.date(2027, 2, 24), NOW, 'a',
                                'kept for DR')
    found, malformed = rec.decisions_in(
        ['other', psx, pending, acc, 'xloud-acc:v1 junk'])
    assert sorted(r.check for r in found) == ['fip-unassociated',
                                              'port-security-disabled']
    assert malformed == ['xloud-acc:v1 junk']
    # and port-security code never sees decisions of other checks
    assert [r.reason for r in rec.records_in([psx, acc])[0]] == [
        'appliance']


@pytest.mark.parametrize('check, item, reason, message', [
    ('Bad Check', '', 'r', 'not a check id'),
    ('sg-default-in-use', '', '', 'must not be empty'),
    ('sg-default-in-use', '', 'x' * 300, 'too long'),
    ('sg-default-in-use', '', 'two\nlines', 'one line'),
])
def test_decisions_that_cannot_be_stored_are_refused(check, item, reason,
                                                     message):
    with pytest.raises(rec.RecordError, match=message):
        rec.make_decision_tag(check, item, datetime.date(2027, 2, 24),
                              NOW, 'a', reason)


@pytest.mark.parametrize('tag', [
    'xloud-acc:v1 check=x item= review=2027-13-01 granted=20261126T231005Z'
    '-3f2a by=a reason=r',
    'xloud-acc:v1 check=x review=2027-01-01 granted=20261126T231005Z-3f2a '
    'by=a reason=r',
    'xloud-acc:v9 anything'])
def test_malformed_decisions_are_errors_not_silence(tag):
    with pytest.raises(rec.RecordError):
        rec.parse_decision(tag)


# --- endorsements (issue 18) -----------------------------------------------

def _dfields():
    return dict(check='sg-ingress-ssh-from-world',
                item='0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
                review_by=datetime.date(2027, 3, 1),
                granted=datetime.datetime(2026, 12, 1, 8, 0,
                                          tzinfo=datetime.timezone.utc),
                granted_by='admin', reason='bastion', nonce='0a0b')


def _dtag(**change):
    f = dict(_dfields(), **change)
    return rec.make_decision_tag(f['check'], f['item'], f['review_by'],
                                 f['granted'], f['granted_by'], f['reason'],
                                 nonce=f['nonce'])


def test_an_endorsement_names_one_record_on_one_resource():
    tag = _dtag()
    digest = rec.digest('security_groups', 'g1', tag)
    changed = {
        'check': _dtag(check='sg-ingress-sensitive-from-world'),
        'item': _dtag(item='0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e'),
        'review': _dtag(review_by=datetime.date(2027, 3, 2)),
        'granted': _dtag(granted=datetime.datetime(
            2026, 12, 1, 8, 0, 1, tzinfo=datetime.timezone.utc)),
        'nonce': _dtag(nonce='0a0c'),
        'by': _dtag(granted_by='admin2'),
        'reason': _dtag(reason='bastion.'),
    }
    for field, other in changed.items():
        assert other != tag
        assert rec.digest('security_groups', 'g1', other) != digest, field
    assert rec.digest('security_groups', 'g2', tag) != digest
    assert rec.digest('ports', 'g1', tag) != digest
    # the separators are not ambiguous: moving text between fields changes
    # the digest
    assert rec.digest('security_groups', 'g1x', tag[1:]) != \
        rec.digest('security_groups', 'g1', 'x' + tag[1:])
    # a port-security record: its groups too
    one = rec.make_tag(datetime.date(2027, 3, 1), _dfields()['granted'],
                       'admin', ['g1'], 'fw', nonce='0a0b')
    two = rec.make_tag(datetime.date(2027, 3, 1), _dfields()['granted'],
                       'admin', ['g2'], 'fw', nonce='0a0b')
    assert rec.digest('ports', 'p', one) != rec.digest('ports', 'p', two)


def test_an_endorsement_tag_round_trips_and_fits_keystone():
    tag = _dtag()
    who = rec.Approver('ad min/x,y', 'u' * 32)
    end = rec.endorsement_tag('security_groups', 'g1', tag, who,
                              ('port', 'p1'))
    assert len(end) <= 255 and '/' not in end and ',' not in end
    digest, found = rec.parse_endorsement(end)
    assert digest == rec.digest('security_groups', 'g1', tag)
    assert (found.by, found.user_id) == ('ad min/x,y', 'u' * 32)
    assert found.tag == end
    assert found.substance == rec.substance(('port', 'p1')) != \
        rec.substance(('port', 'p2')) != rec.EMPTY_SUBSTANCE
    long = rec.endorsement_tag('ports', 'p', tag,
                               rec.Approver('é' * 300, 'x' * 300))
    assert len(long) <= 255 and rec.parse_endorsement(long)[1].by
    assert rec.parse_endorsement(long)[1].user_id == 'x' * 64
    found = rec.endorsements_in(['other', end, 'xloud-ok:v1 short by=x'])
    assert list(found) == [rec.digest('security_groups', 'g1', tag)]
    assert [e.tag for e in found[digest]] == [end]


def test_an_earlier_releases_endorsement_binds_the_empty_substance():
    """v1 (no substance): it still covers a finding whose verdict depends
    on nothing but its resource and item, and no other."""
    tag = _dtag()
    old = 'xloud-ok:v1 %s by=admin' % rec.digest('ports', 'p', tag)
    digest, found = rec.parse_endorsement(old)
    assert digest == rec.digest('ports', 'p', tag)
    assert (found.by, found.user_id) == ('admin', '')
    assert rec.covering([found], ()) == found
    assert rec.covering([found], ('port', 'p1')) is None


def test_a_record_endorsed_twice_keeps_both_and_covering_picks_the_bound():
    tag = _dtag()
    one = rec.endorsement_tag('ports', 'p', tag, 'a', ('port', 'x'))
    two = rec.endorsement_tag('ports', 'p', tag, 'b', ('port', 'y'))
    [found] = rec.endorsements_in([two, one]).values()
    assert sorted(e.by for e in found) == ['a', 'b']
    assert rec.covering(found, ('port', 'y')).by == 'b'
    assert rec.covering(found, ('port', 'z')) is None


def test_request_ids_tell_records_apart():
    one, two = _dtag(), _dtag(reason='other')
    assert rec.request_id('ports', 'p', one) != \
        rec.request_id('ports', 'p', two)
    assert rec.request_id('ports', 'p', one) != \
        rec.request_id('ports', 'q', one)
    assert len(rec.request_id('ports', 'p', one)) == 16


@pytest.mark.parametrize('tag', [
    # review more than a year after the grant
    'xloud-acc:v1 check=x item= review=2027-12-03 '
    'granted=20261201T000000Z-0a0b by=a reason=r',
    'xloud-psx:v1 review=9999-12-31 granted=20250101T000000Z-abcd by=admin '
    'sg= reason=approved',
    # control characters, however encoded, in the reason or the author
    'xloud-acc:v1 check=x item= review=2027-01-01 '
    'granted=20261201T000000Z-0a0b by=a reason=%1B%5D0%3Bpwned%07',
    'xloud-acc:v1 check=x item= review=2027-01-01 '
    'granted=20261201T000000Z-0a0b by=%0D%0A reason=r',
    'xloud-psx:v1 review=2027-01-01 granted=20261201T000000Z-abcd by=a '
    'sg= reason=a%E2%80%AEb',
])
def test_a_record_breaking_the_rules_it_is_written_by_is_malformed(tag):
    with pytest.raises(rec.RecordError):
        rec.parse_decision(tag)
