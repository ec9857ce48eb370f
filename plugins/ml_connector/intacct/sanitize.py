"""Make arbitrary text safe to put in an XML 1.0 request, and count what had to go.

The gateway rejects a whole request (XL03000003) for one bad character, so a stray control
character copied from a CRM field would otherwise block every record sent with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Everything XML 1.0 §2.2 does not allow as a Char (lone surrogates included).
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF = re.compile(r"&#(?:[xX](?P<hex>[0-9a-fA-F]+)|(?P<dec>[0-9]+));")


def is_xml_char(code_point: int) -> bool:
    return (
        code_point in (0x9, 0xA, 0xD)
        or 0x20 <= code_point <= 0xD7FF
        or 0xE000 <= code_point <= 0xFFFD
        or 0x10000 <= code_point <= 0x10FFFF
    )


@dataclass
class SanitizeStats:
    """What sanitizing removed, for the caller to see (never the values themselves)."""

    values_changed: int = 0
    characters_removed: int = 0
    character_references_removed: int = 0

    @property
    def changed(self) -> bool:
        return self.values_changed > 0

    def add(self, other: SanitizeStats) -> None:
        self.values_changed += other.values_changed
        self.characters_removed += other.characters_removed
        self.character_references_removed += other.character_references_removed

    def as_dict(self) -> dict[str, int]:
        return {
            "values_changed": self.values_changed,
            "characters_removed": self.characters_removed,
            "character_references_removed": self.character_references_removed,
        }


def _is_forbidden_reference(match: re.Match[str]) -> bool:
    digits, base = (match["hex"], 16) if match["hex"] is not None else (match["dec"], 10)
    return not is_xml_char(int(digits, base))


def sanitize_text(value: str, stats: SanitizeStats | None = None) -> str:
    """Remove XML-forbidden characters and literal references to them; escaping is the serializer's job."""
    removed_refs = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed_refs
        if _is_forbidden_reference(match):
            removed_refs += 1
            return ""
        return match.group(0)

    without_refs = _CHAR_REF.sub(drop, value) if "&#" in value else value
    cleaned, removed_chars = _FORBIDDEN.subn("", without_refs)
    if stats is not None and (removed_chars or removed_refs):
        stats.values_changed += 1
        stats.characters_removed += removed_chars
        stats.character_references_removed += removed_refs
    return cleaned
