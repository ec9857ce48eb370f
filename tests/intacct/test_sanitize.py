"""Forbidden XML characters and references to them are removed and counted; the rest is left alone."""

from __future__ import annotations

import pytest
from lxml import etree

from ml_connector.intacct.sanitize import SanitizeStats, is_xml_char, sanitize_text


@pytest.mark.parametrize(
    ("raw", "clean", "chars", "refs"),
    [
        ("plain text", "plain text", 0, 0),
        ("tab\tnew\nline\rok", "tab\tnew\nline\rok", 0, 0),
        ("a\x00b\x08c\x0bd\x0ce\x1ff", "abcdef", 5, 0),
        ("vt&#11;here&#x0B;&#X1f;", "vthere", 0, 3),
        ("keep &#233; &#x20AC; &amp; &lt; &#10;", "keep &#233; &#x20AC; &amp; &lt; &#10;", 0, 0),
        ("\ufffe\uffffend", "end", 2, 0),
        ("lone \ud800 surrogate", "lone  surrogate", 1, 0),
        ("&#0;&#65534;&#1114112;", "", 0, 3),
        ("emoji 😀 ok", "emoji 😀 ok", 0, 0),
    ],
)
def test_sanitize_text(raw: str, clean: str, chars: int, refs: int) -> None:
    stats = SanitizeStats()
    assert sanitize_text(raw, stats) == clean
    assert (stats.characters_removed, stats.character_references_removed) == (chars, refs)
    assert stats.values_changed == (1 if chars or refs else 0)


def test_sanitized_text_always_serializes() -> None:
    every_bmp_char = "".join(chr(c) for c in range(0x0, 0x3000))
    element = etree.Element("v")
    element.text = sanitize_text(every_bmp_char + "&#11;&#xD800;")
    assert etree.fromstring(etree.tostring(element)).text == element.text


def test_is_xml_char_edges() -> None:
    assert [is_xml_char(c) for c in (0x8, 0x9, 0x1F, 0x20, 0xD7FF, 0xD800, 0xFFFD, 0xFFFE, 0x10FFFF, 0x110000)] == [
        False, True, False, True, True, False, True, False, True, False]
