"""UTF-16 offsets and text cleaning."""

import pytest

from contextcards.offsets import Utf16Offsets, clean_text, utf16_length


@pytest.mark.parametrize(
    "text, index, expected",
    [
        ("DeepSeek", 4, 4),
        ("😀 DeepSeek", 2, 3),
        ("😀😀 Nvidia", 3, 5),
        ("中国 China", 3, 3),
        ("𠀀 Xi", 2, 3),
    ],
)
def test_code_points_convert_to_utf16_units(text, index, expected):
    assert Utf16Offsets(text)(index) == expected


def test_utf16_length_counts_surrogate_pairs():
    assert utf16_length("a😀b") == 4


def test_clean_text_keeps_length_and_removes_nul_and_lone_surrogates():
    dirty = "a\x00b\ud800c"
    cleaned = clean_text(dirty)
    assert cleaned == "a b\ufffdc"
    assert len(cleaned) == len(dirty)
