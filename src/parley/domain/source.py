"""Source texts and the checks of quotes against them: verbatim in the text, or, where the text
is absent, against the quote manifest built from it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from parley.domain.evidence import MAX_QUOTE_WORDS, Citation

_QUOTE_MARKS = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Collapse whitespace and straighten quote marks, so line breaks and typography don't matter."""
    return _SPACE.sub(" ", text.translate(_QUOTE_MARKS)).strip()


def word_count(text: str) -> int:
    return len(text.split())


def quote_digest(quote: str) -> str:
    """SHA-256 of the normalised quote: what the quote manifest keeps instead of the text."""
    return hashlib.sha256(normalise(quote).encode("utf-8")).hexdigest()


class QuoteChecker(Protocol):
    """What validation needs of a source: why a citation is not evidence from it, or None."""

    def problem(self, citation: Citation) -> str | None: ...


def _form_problem(source_id: str, sections: Sequence[str], citation: Citation) -> str | None:
    """Problems seen without the text: an unknown section, a quote that is too long."""
    if citation.section not in sections:
        return f"section '{citation.section}' is not a section of {source_id}; allowed: " + "; ".join(
            sections)
    words = word_count(normalise(citation.quote))
    if words > MAX_QUOTE_WORDS:
        return f"quote has {words} words; at most {MAX_QUOTE_WORDS} are allowed"
    return None


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

    def position(self, citation: Citation) -> int:
        """Where the normalised quote first starts in its normalised section (-1: not there)."""
        body = self.sections.get(citation.section)
        return -1 if body is None else body.find(normalise(citation.quote))

    def problem(self, citation: Citation) -> str | None:
        """Why this citation is not verbatim evidence from this source, or None if it is."""
        form = _form_problem(self.id, list(self.sections), citation)
        if form:
            return form
        quote = normalise(citation.quote)
        if quote in self.sections[citation.section]:
            return None
        elsewhere = [s for s, body in self.sections.items() if quote in body]
        if elsewhere:
            return (
                f"quote is not in section '{citation.section}' but in '{elsewhere[0]}': "
                f'"{_clip(quote)}"'
            )
        return f'quote not found verbatim in {self.id}: "{_clip(quote)}"'


@dataclass(frozen=True)
class ManifestSource:
    """A source known only by its quote manifest: the SHA-256 of every normalised quote that was
    found verbatim in a section when the manifest was built from the text. It accepts exactly
    those quotes, so a new or edited quote needs the text (and a rebuilt manifest)."""

    id: str
    section_names: tuple[str, ...]
    quotes: Mapping[str, frozenset[str]]
    """Quote digest -> the sections it was verified in."""

    def problem(self, citation: Citation) -> str | None:
        """Why this citation is not a quote the manifest verified in its section, or None."""
        form = _form_problem(self.id, self.section_names, citation)
        if form:
            return form
        verified = self.quotes.get(quote_digest(citation.quote), frozenset())
        if citation.section in verified:
            return None
        clipped = _clip(normalise(citation.quote))
        if verified:
            elsewhere = "; ".join(s for s in self.section_names if s in verified)
            return (f"quote is in the quote manifest of {self.id} under section '{elsewhere}', "
                    f"not '{citation.section}': \"{clipped}\"")
        return (f"quote is not in the quote manifest of {self.id} (without the text, only the "
                f"quotes verified when the manifest was built are accepted): \"{clipped}\"")


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
