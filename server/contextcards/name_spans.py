"""Clean name spans: the part of a named entity that is the name, and tokens split where names are joined.

"Wang Huning 王沪宁" and "Ren Zhengfei (任正非)" are looked up as "Wang Huning" and "Ren Zhengfei";
"Vice Minister Ma Zhaoxu" as "Ma Zhaoxu" (the office is its own mention when the pack has it);
"U.S.–Taiwan" is two names, not one token.
"""

import re

from spacy.util import compile_infix_regex

# Scripts a name's native form is written in after its Latin form: Cyrillic, Hebrew, Arabic, Thai,
# Hangul, CJK (with kana and full-width forms).
NATIVE = re.compile(r"[\u0400-\u04FF\u0590-\u06FF\u0E00-\u0E7F\u1100-\u11FF\u2E80-\u9FFF\uAC00-\uD7AF"
                    r"\uF900-\uFAFF\uFF00-\uFFEF]")
# Words of an office or courtesy title that may open a PERSON entity ("Premier Li Qiang").
TITLE_WORDS = set("""
President Vice Premier Prime Minister Secretary Deputy Foreign Trade Commerce Treasury Defense Defence State
Finance Economy Science Technology Industry Home Chancellor Senator Sen. Rep. Representative Congressman
Congresswoman Governor Mayor Chairman Chairwoman Chair CEO Chief Executive Director Commissioner Ambassador
General Gen. Admiral Adm. Dr Dr. Mr Mr. Mrs Mrs. Ms Ms. Judge Justice Speaker Spokesman Spokeswoman
Spokesperson King Queen Prince Princess Crown Sheikh Emir Minister-President Party Leader Lawmaker Founder
Co-founder Cofounder Analyst Professor Prof. Auditor Attorney Interior Security National Adviser Advisor
Executive Senior Assistant Under Undersecretary Vice-Premier Vice-President Vice-Minister Justice Labor
""".split())
# A hyphen or dash between an abbreviation's full stop and a capital: "U.S.–Taiwan", "U.K.-Japan".
JOINED_NAMES = r"(?<=[A-Z]\.)[-\u2013\u2014](?=[A-Z])"


def split_joined_names(nlp) -> None:
    """Teach the tokenizer that "U.S.–Taiwan" is two names (spaCy splits "US-Taiwan" but not after a full stop)."""
    infixes = list(nlp.Defaults.infixes) + [JOINED_NAMES]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def name_span(doc, ent, covered: set[int]):
    """The part of an NER entity that is a name to link or look up (a Span), or None.

    An entity that pack aliases cover in part keeps only a person's name left at one end
    ("Treasury Secretary" is the office's alias, "Scott Bessent" stays a PERSON); a native-script
    form after the Latin name and office titles before a person's name are dropped.
    """
    start, end = ent.start, ent.end
    if covered.intersection(range(start, end)):
        part = _uncovered_end(start, end, covered)
        if ent.label_ != "PERSON" or part is None or part[1] - part[0] < 2 or \
                not all(t.text[:1].isupper() for t in doc[part[0]:part[1]]):
            return None
        start, end = part
    for i in range(start, end):
        if NATIVE.search(doc[i].text):
            end = i
            break
    while end > start and doc[end - 1].text in "([（【「-–—,:;":
        end -= 1
    if ent.label_ == "PERSON":
        while end - start > 1 and doc[start].text in TITLE_WORDS and doc[start + 1].text[:1].isupper():
            start += 1
    if end <= start or not any(c.isalpha() and c.isascii() for c in doc[start:end].text):
        return None
    return doc[start:end]


def _uncovered_end(start: int, end: int, covered: set[int]) -> tuple[int, int] | None:
    """The longer run of tokens at either end of an entity that no alias covers."""
    head = start
    while head < end and head not in covered:
        head += 1
    tail = end
    while tail > start and tail - 1 not in covered:
        tail -= 1
    best = max([(start, head), (tail, end)], key=lambda r: r[1] - r[0])
    return best if best[1] > best[0] else None
