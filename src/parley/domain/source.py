"""Source texts and the verbatim check of quotes against them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from parley.domain.evidence import MAX_QUOTE_WORDS, Citation

_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse whitespace and straighten quote marks, so line breaks and typography don't matter."""
    return _SPACE.sub(" ", text.translate(_QUOTE_MARKS)).strip()


def word_count(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class SourceText:
    """One source's full text split into its sections (each normalised)."""

    id: str
    sections: Mapping[str, str]

    @classmethod
    def from_text(cls, source_id: str, text: str, headings: Sequence[str]) -> SourceText:
        """Split `text` at lines equal to one of `headings` (a table of contents, whose lines
        carry page numbers, does not match). Text before the first heading is ignored."""
        wanted = {h.strip(): h for h in headings}
        current: str | None = None
        parts: dict[str, list[str]] = {}
        for line in text.splitlines():
            key = line.strip()
            if key in wanted and key not in parts:
                current = wanted[key]
                parts[current] = []
                continue
            if current is not None:
                parts[current].append(line)
        missing = [h for h in headings if h not in parts]
        if missing:
            raise ValueError(f"source '{source_id}': headings not found: {', '.join(missing)}")
        return cls(source_id, {h: normalise("\n".join(lines)) for h, lines in parts.items()})

    def problem(self, citation: Citation) -> str | None:
        """Why this citation is not verbatim evidence from this source, or None if it is."""
        if citation.section not in self.sections:
            return (
                f"section '{citation.section}' is not a section of {self.id}; allowed: "
                + "; ".join(self.sections)
            )
        quote = normalise(citation.quote)
        if word_count(quote) > MAX_QUOTE_WORDS:
            return f"quote has {word_count(quote)} words; at most {MAX_QUOTE_WORDS} are allowed"
        if quote in self.sections[citation.section]:
            return None
        elsewhere = [s for s, body in self.sections.items() if quote in body]
        if elsewhere:
            return (
                f"quote is not in section '{citation.section}' but in '{elsewhere[0]}': "
                f'"{_clip(quote)}"'
            )
        return f'quote not found verbatim in {self.id}: "{_clip(quote)}"'


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
