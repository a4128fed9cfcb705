"""Offsets as JavaScript counts them: UTF-16 code units, so non-BMP characters never shift a highlight."""

import re
from bisect import bisect_left

LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Replace NULs and lone surrogates one-for-one, so every UTF-16 offset stays where it was."""
    return LONE_SURROGATE.sub("\ufffd", text.replace("\x00", " "))


class Utf16Offsets:
    """Converts code-point offsets in one text to UTF-16 offsets."""

    def __init__(self, text: str):
        self.astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []

    def __call__(self, index: int) -> int:
        if not self.astral:
            return index
        return index + bisect_left(self.astral, index)  # astral characters before index: log time, not linear


def utf16_length(text: str) -> int:
    """Length of a text in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
