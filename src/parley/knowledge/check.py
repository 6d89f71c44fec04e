"""`python -m parley.knowledge.check [FILE...]`: validate case files against the codebook and
prove every quote verbatim in the source text (PARLEY_SOURCES). Exit 0 when all pass."""

from __future__ import annotations

import sys
from pathlib import Path

from parley.domain.errors import ConfigurationError, ValidationFailed
from parley.knowledge.loader import (
    bundled_case_files,
    load_codebook,
    load_source_texts,
    parse_case_bytes,
)


def main(argv: list[str]) -> int:
    try:
        codebook = load_codebook()
        sources = load_source_texts(required=True)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 1
    check_guidelines = "--guidelines" in argv
    files = [a for a in argv if not a.startswith("--")]
    targets: list[tuple[str, bytes]] = (
        [(f, Path(f).read_bytes()) for f in files]
        if files
        else [(f"cases/{r.name}", r.read_bytes()) for r in bundled_case_files()]
    )
    failed = 0
    for name, data in targets:
        try:
            case = parse_case_bytes(data, name, codebook, sources)
        except ValidationFailed as exc:
            failed += 1
            print(exc, file=sys.stderr)
            continue
        known = sum(1 for v in case.values.values() if not v.is_unknown)
        print(f"ok  {name}: {known} coded, {len(case.values) - known} unknown")
    if check_guidelines:
        try:
            from parley.knowledge.guidelines import load_guidelines

            guides = load_guidelines(codebook, sources)
            print(f"ok  guidelines: {len(guides)}")
        except (ConfigurationError, ValidationFailed) as exc:
            failed += 1
            print(exc, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
