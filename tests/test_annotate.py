"""annotate.py: the bounded queue for the NLP, what a request may write, the first-mention rule, UTF-16 spans."""

import threading

import pytest

from contextcards.annotate import QUEUE_SECONDS, RETRY_AFTER_SECONDS, AnnotateRequest, HistoryUse, spans, to_json
from contextcards.errors import TooManyRequests
from contextcards.linking import Link

from conftest import annotate_body, assert_error


def request(*texts, **fields):
    return AnnotateRequest(url="https://news.example/a", title="A page",
                           blocks=[(f"b{i}", t) for i, t in enumerate(texts)], **fields)


def test_a_page_waits_for_a_slot_instead_of_failing(app):
    annotator = app.extensions["contextcards"].annotator
    held = [annotator.slots.acquire(timeout=1) for _ in range(2)]  # two pages already running
    assert held == [True, True]
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(annotator.annotate(request("DeepSeek grew."))))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive() and answers == []  # queued, not refused
    annotator.slots.release()
    waiting.join(QUEUE_SECONDS)
    annotator.slots.release()
    assert [link.card for link in answers[0].links] == ["deepseek"]


@pytest.mark.slow
def test_a_queue_longer_than_its_bound_answers_429_with_retry_after(app, client):
    annotator = app.extensions["contextcards"].annotator
    assert [annotator.slots.acquire(timeout=1) for _ in range(2)] == [True, True]
    try:
        with pytest.raises(TooManyRequests) as refused:
            annotator.annotate(request("DeepSeek grew."))
        assert refused.value.retry_after == RETRY_AFTER_SECONDS
        response = client.post("/v1/annotate", json=annotate_body("DeepSeek grew."))
        assert_error(response, 429, "too_many_requests")
        assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    finally:
        annotator.slots.release()
        annotator.slots.release()


@pytest.mark.parametrize("use, saved, seen", [(HistoryUse.WRITE, True, True), (HistoryUse.READ, False, True),
                                              (HistoryUse.NONE, False, False)])
def test_one_value_decides_what_a_request_reads_and_writes(app, use, saved, seen):
    annotator = app.extensions["contextcards"].annotator
    history = app.extensions["contextcards_history"]
    annotator.annotate(request("DeepSeek grew.", history=HistoryUse.WRITE))
    before = len(history)
    result = annotator.annotate(AnnotateRequest("https://other.example/b", "B", [("b0", "DeepSeek again.")], history=use))
    assert (len(history) == before + 1) is saved and (result.page_id is not None) is saved
    assert ("deepseek" in result.seen_before) is seen
    if seen:
        assert result.seen_before["deepseek"]["count"] == 1


def test_the_first_mention_rule_runs_once_over_pack_links(app):
    annotator = app.extensions["contextcards"].annotator
    texts = ("China and DeepSeek.", "China again, and DeepSeek.")
    first = annotator.annotate(request(*texts, history=HistoryUse.NONE))
    every = annotator.annotate(request(*texts, history=HistoryUse.NONE, all_mentions=True))
    assert [(link.block, link.text) for link in first.links] == [(0, "China"), (0, "DeepSeek")]
    assert [(link.block, link.text) for link in every.links] == [(0, "China"), (0, "DeepSeek"), (1, "China"),
                                                                 (1, "DeepSeek")]


def test_spans_are_utf16_in_the_block_and_in_the_page_text():
    blocks = [("a", "😀 China"), ("b", "𠀀 DeepSeek")]
    links = [Link(0, 2, 7, "China", "china", 0.9), Link(1, 2, 10, "DeepSeek", "deepseek", 0.9)]
    found = spans(blocks, links)
    assert [(s.start, s.end) for s in found] == [(3, 8), (3, 11)]
    # The page's text is the blocks joined by one newline: "😀 China" is 8 units, then the newline.
    assert [(s.page_start, s.page_end) for s in found] == [(3, 8), (12, 20)]


def test_a_page_not_in_english_gets_nothing_and_saves_nothing(app):
    history = app.extensions["contextcards_history"]
    result = app.extensions["contextcards"].annotator.annotate(request("DeepSeek grew.", lang="zh"))
    assert to_json(result) == {"page_id": None, "annotations": [], "cards": {}} and len(history) == 0
