"""wikipedia/text.py: plain-text summaries, never markup, within the card limit."""

import pytest

from contextcards.knowledge import MARKUP
from contextcards.wikipedia.client import WikipediaClient
from contextcards.wikipedia.text import summarize


def test_html_and_script_in_an_extract_come_out_as_plain_text(wiki):
    client = WikipediaClient(wiki.url)
    try:
        result = client.fetch(["Evil Corp"])["Evil Corp"]
    finally:
        client.close()
    assert result.summary == "Evil Corp is a company that sells widgets. It was founded in by Eve & friends."
    for text in (result.summary, result.description):
        assert not MARKUP.search(text) and "<" not in text and "alert" not in text and "owned" not in text


def test_a_very_long_extract_becomes_at_most_three_sentences_within_320_characters(wiki):
    client = WikipediaClient(wiki.url)
    try:
        found = client.fetch(["Longwinded Group", "Runon Institute"])
    finally:
        client.close()
    long = found["Longwinded Group"].summary
    assert long.startswith("Longwinded Group is a company. Sentence number 0") and long.endswith(".")
    assert len(long) <= 320 and long.count(". ") <= 2
    runon = found["Runon Institute"].summary
    assert len(runon) <= 320 and runon.endswith("\u2026") and " that goes on " in runon


@pytest.mark.parametrize("extract, summary", [
    ("Xi Jinping (/\u02c8\u0283i\u02d0/; Chinese: \u4e60\u8fd1\u5e73; born 15 June 1953) is a Chinese politician.",
     "Xi Jinping is a Chinese politician."),
    ("Gina Raimondo (born 1971) is an American politician. She was governor. Third. Fourth.",
     "Gina Raimondo (born 1971) is an American politician. She was governor. Third."),
    ("Apple Inc. is based in the U.S. state of California. It was founded by Steve Jobs.",
     "Apple Inc. is based in the U.S. state of California. It was founded by Steve Jobs."),
    ("&lt;b&gt;Bold&lt;/b&gt; claim.", "Bold claim."),
    ("", ""),
])
def test_summaries_are_whole_plain_sentences(extract, summary):
    assert summarize(extract) == summary
