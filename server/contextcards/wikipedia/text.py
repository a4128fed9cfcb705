"""Reading Wikipedia's text: markup stripped to plain text, sentences split, summaries cut to the card limit."""

import html
import re

from ..knowledge import MAX_SUMMARY

SUMMARY_SENTENCES = 3

HIDDEN_ELEMENTS = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?(?:</\1\s*>|$)", re.I | re.S)
INLINE_TAG = re.compile(r"</?(?:a|b|i|u|em|strong|span|small|sup|sub|abbr|bdi|code|var|s)\b[^>]*>", re.I)
ANY_TAG = re.compile(r"<[!/?a-zA-Z][^>]*(?:>|$)")
WIKI_LINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
ENTITY = re.compile(r"&[a-zA-Z#][a-zA-Z0-9]*;")
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def plain_text(raw: str) -> str:
    """Text with no markup left in it: scripts and styles dropped, tags stripped, entities decoded, one line."""
    text = raw if isinstance(raw, str) else ""
    for _ in range(5):  # entities can hide tags (&lt;script&gt;): strip, decode, strip again
        before = text
        text = HIDDEN_ELEMENTS.sub(" ", text)
        text = INLINE_TAG.sub("", text)
        text = ANY_TAG.sub(" ", text)
        text = html.unescape(text)
        if text == before:
            break
    text = WIKI_LINK.sub(r"\1", TEMPLATE.sub("", text)).replace("\'\'\'", "").replace("\'\'", "")
    text = ENTITY.sub("", text).replace("<", "").replace(">", "")
    text = INVISIBLE.sub("", text)
    return " ".join(text.split())


def _drop_pronunciations(text: str) -> str:
    """Remove the first sentence's bracketed pronunciations and native spellings, as Wikipedia's previews do.

    Only brackets holding a ';', non-Latin letters or nothing but punctuation go: "(born 1963)" stays.
    """
    end = min(len(text), text.find(". ") + 1 if ". " in text else len(text))
    head, out, depth, start = text[:end], [], 0, 0
    for i, char in enumerate(head):
        if char == "(":
            if depth == 0:
                out.append(head[start:i])
                start = i
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                inner = head[start + 1:i]
                noisy = ";" in inner or any(ord(c) > 0x24F and c.isalpha() for c in inner) or \
                    not any(c.isalnum() for c in inner) or "pronounced" in inner or "/" in inner
                if not noisy:
                    out.append(head[start:i + 1])
                start = i + 1
    out.append(head[start:])
    cleaned = re.sub(r"\s+([,.;:])", r"\1", " ".join("".join(out).split()))
    return cleaned + text[end:]


ABBREVIATIONS = {"inc", "corp", "co", "ltd", "plc", "llc", "jr", "sr", "dr", "mr", "mrs", "ms", "st", "mt", "no",
                 "vs", "etc", "gen", "gov", "sen", "rep", "prof", "approx", "est", "dept", "univ", "fig", "al",
                 "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ca", "c"}
BOUNDARY = re.compile(r"[.!?][\"\u201d\u2019)]?\s+(?=[A-Z0-9\"\u201c(])")


def split_sentences(text: str) -> list[str]:
    """Sentences, not split after abbreviations (Inc., U.S.) or initials (J. R. R.)."""
    sentences, start = [], 0
    for match in BOUNDARY.finditer(text):
        words = text[start:match.start() + 1].split()
        word = words[-1].lower().strip("(\"\u201c") if words else ""
        stem = word.rstrip(".!?")
        if word.endswith(".") and (stem in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", stem)):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    if text[start:].strip():
        sentences.append(text[start:].strip())
    return sentences


def summarize(extract: str, limit: int = MAX_SUMMARY, most: int = SUMMARY_SENTENCES) -> str:
    """The first one to three whole sentences within the limit; one cut at a word (with …) if it is longer."""
    text = _drop_pronunciations(plain_text(extract))
    sentences = split_sentences(text)
    summary = ""
    for sentence in sentences[:most]:
        longer = f"{summary} {sentence}".strip()
        if len(longer) > limit:
            break
        summary = longer
    if summary or not sentences:
        return summary
    cut = sentences[0][: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "\u2026"
