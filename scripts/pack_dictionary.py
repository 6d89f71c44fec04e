"""Write the next preset dictionary for packed case documents (storage/packing.py).

    .venv/bin/python scripts/pack_dictionary.py      # writes src/parley/storage/pack-dictionary-N.txt

A dictionary holds what every case document repeats: the keys of the interchange JSON, each
coded variable's name as it opens its value, and every code of the codebook (the most common
last: zlib reaches near strings more cheaply). It is made from the codebook alone, never from
cases (so it fits real and synthetic cases alike). A written dictionary never changes: stored
documents name it by its Adler-32 (the zlib stream's DICTID), so a new codebook gets a new file
beside the old ones, and `packing.DICTIONARIES` lists them all.
"""

from __future__ import annotations

import sys
from pathlib import Path

from parley.domain.codebook import Codebook
from parley.knowledge.loader import load_codebook

STORAGE = Path(__file__).resolve().parents[1] / "src" / "parley" / "storage"


def dictionary(codebook: Codebook) -> bytes:
    codes = " ".join(f'"{code}"' for var in codebook.coded for code in var.codes)
    keys = "".join(f'"{var.name}": {{"value": ' for var in codebook.coded)
    skeleton = ('{"id": "", "title": "", "country": "", "parent": null, "summary": "", '
                '"values": {' + keys + '"evidence": [{"source": "", "section": "", "page": '
                '"quote": ""}]}, "note": "unknown", ')
    return (codes + " " + skeleton).encode("utf-8")


def main() -> int:
    n = 1
    while (STORAGE / f"pack-dictionary-{n}.txt").exists():
        n += 1
    path = STORAGE / f"pack-dictionary-{n}.txt"
    path.write_bytes(dictionary(load_codebook()))
    print(f"wrote {path.relative_to(STORAGE.parents[2])}: add it to packing.DICTIONARIES")
    return 0


if __name__ == "__main__":
    sys.exit(main())
