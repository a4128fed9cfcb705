"""history/record.py: what a saved page holds (canonical URL, sentence around a mention)."""

import re

import pytest

from contextcards.history.record import canonical_url, sentence_around


def test_a_long_sentence_is_cut_to_240_characters_around_the_mention():
    text = "word " * 80 + "DeepSeek " + "more " * 80 + "."
    start = text.index("DeepSeek")
    sentence, at = sentence_around(text, start, start + 8)
    assert len(sentence) <= 240 and sentence[at:at + 8] == "DeepSeek"
    assert sentence == text[text.index(sentence):text.index(sentence) + len(sentence)]


@pytest.mark.parametrize("url, expected", [
    ("https://a.example/x#frag", "https://a.example/x"),
    ("https://a.example/x?utm_source=n&utm_medium=e&b=1", "https://a.example/x?b=1"),
    ("https://a.example/x?gclid=1&msclkid=2&mc_eid=3&igshid=4&keep=5", "https://a.example/x?keep=5"),
    ("HTTP://user:pass@A.Example:80/x", "http://a.example/x"),
    ("https://a.example:8443", "https://a.example:8443/"),
    ("ftp://a.example/x", None), ("chrome://settings", None), ("not a url", None), ("", None),
])
def test_urls_lose_fragments_credentials_and_tracking_parameters(url, expected):
    assert canonical_url(url) == expected


def _sentence_scanning_the_whole_block(text, start, end):
    """The earlier sentence_around, which scanned from the block's start: the reference for the bounded scan."""
    from contextcards.history.record import MAX_SENTENCE, SENTENCE_END, _window
    left = 0
    for match in SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    found = SENTENCE_END.search(text, end)
    right = found.end() if found else len(text)
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    if right - left > MAX_SENTENCE:
        left, right = _window(text, left, right, start, end)
    return text[left:right], start - left


def test_the_sentence_of_a_mention_in_a_huge_block_is_found_near_it_with_the_same_answer():
    """A saved block of 100,000 characters must not cost a scan from its start per mention (issue 11, cost)."""
    long_sentence = " ".join(f"word{i}" for i in range(2000))  # no sentence end for ~14,000 characters
    text = "Short one. DeepSeek spoke. " + long_sentence + " DeepSeek again. " + "Tail words here. " * 3000
    for word in ("DeepSeek", "word5", "word1000", "word1999", "Tail"):
        for start in [m.start() for m in re.finditer(word, text)][:3] + [text.rfind(word)]:
            end = start + len(word)
            assert sentence_around(text, start, end) == _sentence_scanning_the_whole_block(text, start, end)
