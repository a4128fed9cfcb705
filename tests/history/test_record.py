"""history/record.py: what a saved page holds (canonical URL, sentence around a mention)."""

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
