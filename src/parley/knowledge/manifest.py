"""The quote manifest: how a clone without the paper still checks every quote it bundles.

The paper's text is not committed. `quote-manifest.json` is: the paper's SHA-256 and, for every
quote the cases and guidelines cite, its section, its position in that (normalised) section and
the SHA-256 of the normalised quote. "Bundles" means every knowledge file that cites: the cases,
the guidelines, the brief's verdict rules and the outlook's conditions. Two modes follow:

- full (the text is at hand, PARLEY_SOURCES): every quote is checked verbatim in its section, and
  the committed manifest must equal the one rebuilt from the text and the files;
- manifest (no text): every quote of those files must be in the manifest under its section, and
  every manifest entry must still be cited.

`parley knowledge manifest --sources DIR` rebuilds the file from the text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from parley.domain.case import Case
from parley.domain.codebook import Codebook
from parley.domain.errors import ConfigurationError
from parley.domain.evidence import Citation
from parley.domain.guideline import Guideline
from parley.domain.source import ManifestSource, QuoteChecker, SourceText, quote_digest
from parley.knowledge.brief_rules import load_brief_rules
from parley.knowledge.guidelines import load_guidelines
from parley.knowledge.loader import (
    _package_file,
    load_bundled_cases,
    load_codebook,
    load_source_texts,
    load_sources,
)
from parley.knowledge.outlook_conditions import load_outlook_settings

MANIFEST_FILE = "quote-manifest.json"
MANIFEST_VERSION = 1
REBUILD = "parley knowledge manifest --sources DIR"
_HEX64 = frozenset("0123456789abcdef")


@dataclass(frozen=True, order=True)
class ManifestQuote:
    """One cited quote: its section, where it starts in the normalised section, its digest."""

    section: str
    position: int
    sha256: str


@dataclass(frozen=True)
class SourceManifest:
    """What the manifest holds for one source: the text's SHA-256 and its cited quotes."""

    id: str
    file: str
    sha256: str
    quotes: tuple[ManifestQuote, ...]


QuoteManifest = dict[str, SourceManifest]
"""Source id -> its manifest."""


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cited(cases: Iterable[Case], guidelines: Iterable[Guideline]) -> list[tuple[str, Citation]]:
    """Every citation of the cases and guidelines, with where it is cited (for messages)."""
    out: list[tuple[str, Citation]] = []
    for case in cases:
        for name, coded in case.values.items():
            out.extend((f"cases/{case.id}.yaml, field '{name}'", c) for c in coded.evidence)
    for g in guidelines:
        out.extend((f"guideline '{g.id}'", c) for c in g.citations)
    return out


def bundled_citations(codebook: Codebook, sources: Mapping[str, QuoteChecker] | None = None
                      ) -> list[tuple[str, Citation]]:
    """Every citation of every bundled knowledge file, each checked against `sources` on load
    (none given: read without checking).

    A new file that cites the paper must be added here, or a clone without the paper cannot
    load it (the manifest would not hold its quotes) - the bare-clone CI run catches that.
    """
    out = cited(load_bundled_cases(codebook, sources), load_guidelines(codebook, sources))
    rules = load_brief_rules(codebook, sources)
    for signal in rules.signals:
        out.extend((f"verdict.yaml, signal '{signal.id}'", c) for c in signal.citations)
    for i, rule in enumerate(rules.rules):
        out.extend((f"verdict.yaml, rule {i + 1} ({rule.verdict})", c) for c in rule.citations)
    for condition in load_outlook_settings(codebook, sources).conditions:
        out.extend((f"outlook-conditions.yaml, condition '{condition.name}'", c)
                   for c in condition.citations)
    return out


def build_manifest(texts: Mapping[str, SourceText], digests: Mapping[str, str],
                   citations: Iterable[tuple[str, Citation]]) -> QuoteManifest:
    """The manifest of `citations`, each located in `texts`; `digests` are the texts' SHA-256.

    Raises:
        ConfigurationError: a citation that is not verbatim in its section (naming where it is
            cited), or of a source whose text is not given.
    """
    metas = load_sources()
    entries: dict[str, set[ManifestQuote]] = {sid: set() for sid in texts}
    problems: list[str] = []
    for where, c in citations:
        text = texts.get(c.source)
        problem = (f"no text of source '{c.source}'" if text is None
                   else text.problem(c))
        if problem or text is None:
            problems.append(f"{where}: {problem}")
            continue
        entries[c.source].add(ManifestQuote(c.section, text.position(c), quote_digest(c.quote)))
    if problems:
        raise ConfigurationError("cannot build the quote manifest:\n" + "\n".join(problems))
    out: QuoteManifest = {}
    for sid in texts:
        order = {s: i for i, s in enumerate(metas[sid].sections)}

        def key(q: ManifestQuote, order: dict[str, int] = order) -> tuple[int, int, str]:
            return order[q.section], q.position, q.sha256

        out[sid] = SourceManifest(sid, metas[sid].file, digests[sid],
                                  tuple(sorted(entries[sid], key=key)))
    return out


def manifest_from_texts(directory: Path) -> tuple[QuoteManifest, dict[str, SourceText]]:
    """Rebuild the manifest from the texts in `directory` and the bundled files (verbatim first)."""
    codebook = load_codebook()
    texts = load_source_texts(directory, required=True)
    digests = {sid: file_sha256(directory / load_sources()[sid].file) for sid in texts}
    return build_manifest(texts, digests, bundled_citations(codebook, texts)), texts


def render_manifest(manifest: QuoteManifest) -> str:
    """The manifest as committed: JSON with one quote per line, so a diff shows what changed."""
    lines = ["{", f'  "about": {json.dumps(f"Generated by `{REBUILD}`; do not edit.")},',
             f'  "version": {MANIFEST_VERSION},', '  "sources": [']
    for i, src in enumerate(manifest.values()):
        lines += ["    {", f'      "id": {json.dumps(src.id)},',
                  f'      "file": {json.dumps(src.file)},',
                  f'      "sha256": {json.dumps(src.sha256)},', '      "quotes": [']
        lines += [f"        {json.dumps(q.__dict__, ensure_ascii=False)}"
                  + ("," if j < len(src.quotes) - 1 else "") for j, q in enumerate(src.quotes)]
        lines += ["      ]", "    }" + ("," if i < len(manifest) - 1 else "")]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def parse_manifest(text: str, name: str = MANIFEST_FILE) -> QuoteManifest:
    """Read a manifest; anything malformed is a ConfigurationError naming the file and entry."""
    def bad(what: str) -> ConfigurationError:
        return ConfigurationError(f"{name}: {what}; rebuild it with `{REBUILD}`")

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad(f"not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION \
            or not isinstance(data.get("sources"), list):
        raise bad(f"expected an object with version {MANIFEST_VERSION} and a list of sources")
    metas = load_sources()
    out: QuoteManifest = {}
    for raw in data["sources"]:
        if not isinstance(raw, dict) or raw.get("id") not in metas:
            raise bad(f"source {_get(raw, 'id')!r} is not one of {', '.join(metas)}")
        meta = metas[raw["id"]]
        if raw.get("file") != meta.file or not _is_digest(raw.get("sha256")):
            raise bad(f"source '{meta.id}': needs file '{meta.file}' and a SHA-256 (64 hex digits)")
        quotes: list[ManifestQuote] = []
        raw_quotes = raw.get("quotes")
        for j, q in enumerate(raw_quotes if isinstance(raw_quotes, list) else [None]):
            if not (isinstance(q, dict) and set(q) == {"section", "position", "sha256"}
                    and q["section"] in meta.sections and isinstance(q["position"], int)
                    and q["position"] >= 0 and _is_digest(q["sha256"])):
                raise bad(f"source '{meta.id}', quote {j + 1}: expected {{section, position, "
                          f"sha256}} with a section of the source, a position >= 0 and a SHA-256")
            quotes.append(ManifestQuote(q["section"], q["position"], q["sha256"]))
        out[meta.id] = SourceManifest(meta.id, meta.file, raw["sha256"], tuple(quotes))
    return out


def _get(raw: object, key: str) -> Any:
    return raw.get(key) if isinstance(raw, dict) else raw


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def packaged_manifest_path() -> Path:
    """Where the committed manifest lives (in a source checkout: src/parley/knowledge/)."""
    return Path(str(_package_file(MANIFEST_FILE)))


def load_manifest() -> QuoteManifest:
    """The committed manifest (package data)."""
    ref = _package_file(MANIFEST_FILE)
    if not ref.is_file():
        raise ConfigurationError(f"{MANIFEST_FILE} is missing; build it with `{REBUILD}`")
    return parse_manifest(ref.read_text(encoding="utf-8"))


def manifest_checkers(manifest: QuoteManifest) -> dict[str, ManifestSource]:
    """Quote checkers standing in for the texts: they accept exactly the manifest's quotes."""
    metas = load_sources()
    out: dict[str, ManifestSource] = {}
    for sid, src in manifest.items():
        sections: dict[str, set[str]] = {}
        for q in src.quotes:
            sections.setdefault(q.sha256, set()).add(q.section)
        out[sid] = ManifestSource(sid, metas[sid].sections,
                                  {k: frozenset(v) for k, v in sections.items()})
    return out


def differences(committed: QuoteManifest, rebuilt: QuoteManifest) -> list[str]:
    """How the committed manifest differs from the one rebuilt from the texts and the files."""
    out: list[str] = []
    for sid in sorted(set(committed) | set(rebuilt)):
        old, new = committed.get(sid), rebuilt.get(sid)
        if old is None or new is None:
            out.append(f"source '{sid}' is {'missing from' if old is None else 'extra in'} "
                       "the manifest")
            continue
        if old.sha256 != new.sha256:
            out.append(f"{sid}: the text's SHA-256 is {new.sha256}, the manifest was built from "
                       f"{old.sha256}: the paper changed")
        was = {(q.section, q.sha256): q.position for q in old.quotes}
        now = {(q.section, q.sha256): q.position for q in new.quotes}
        for key in sorted(now.keys() - was.keys()):
            out.append(f"{sid}: quote {key[1][:12]} of section '{key[0]}' is cited but not in "
                       "the manifest")
        for key in sorted(was.keys() - now.keys()):
            out.append(f"{sid}: quote {key[1][:12]} of section '{key[0]}' is in the manifest but "
                       "no knowledge file cites it")
        for key in sorted(was.keys() & now.keys()):
            if was[key] != now[key]:
                out.append(f"{sid}: quote {key[1][:12]} of section '{key[0]}' is at position "
                           f"{now[key]} in the text, the manifest says {was[key]}")
    return out


@dataclass(frozen=True)
class QuoteVerification:
    """The outcome of checking every bundled quote, and how it was checked."""

    mode: Literal["full", "manifest"]
    checkers: dict[str, QuoteChecker]
    quotes: int
    summary: str


def verify_quotes(directory: Path | None, codebook: Codebook | None = None) -> QuoteVerification:
    """Check every quote of the bundled cases and guidelines.

    With `directory` (the texts): verbatim in its section, and the committed manifest must equal
    the rebuilt one. Without: against the committed manifest, both ways.

    Raises:
        ConfigurationError: every problem found, each naming file, field or manifest entry.
    """
    codebook = codebook or load_codebook()
    committed = load_manifest()
    if directory is not None:
        rebuilt, texts = manifest_from_texts(directory)
        diff = differences(committed, rebuilt)
        if diff:
            raise ConfigurationError(f"{MANIFEST_FILE} no longer matches the text in {directory} "
                                     f"and the files; rebuild it with `{REBUILD}`:\n"
                                     + "\n".join(diff))
        n = sum(len(s.quotes) for s in rebuilt.values())
        shas = ", ".join(f"{s.id} sha256 {s.sha256[:12]}" for s in rebuilt.values())
        return QuoteVerification("full", dict(texts), n, (
            f"full mode: every quote checked verbatim in its section of the paper's text in "
            f"{directory} ({shas}); {MANIFEST_FILE} matches it ({n} quotes)"))
    checkers = manifest_checkers(committed)
    now = {(c.source, c.section, quote_digest(c.quote))
           for _, c in bundled_citations(codebook, checkers)}
    stale = [f"{sid}: quote {q.sha256[:12]} of section '{q.section}' at {q.position} is in the "
             "manifest but no knowledge file cites it"
             for sid, src in committed.items() for q in src.quotes
             if (sid, q.section, q.sha256) not in now]
    if stale:
        raise ConfigurationError(f"{MANIFEST_FILE} lists quotes no longer cited; rebuild it with "
                                 f"`{REBUILD}`:\n" + "\n".join(stale))
    shas = ", ".join(f"{s.id} sha256 {s.sha256[:12]}" for s in committed.values())
    return QuoteVerification("manifest", dict(checkers), len(now), (
        f"manifest mode: no paper text given (PARLEY_SOURCES), so the {len(now)} quotes of the "
        f"knowledge files were checked against {MANIFEST_FILE} ({shas}), not verbatim"))
