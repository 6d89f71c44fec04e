"""The stored form of a case document: zlib-compressed JSON on SQLite, plain JSON text on
PostgreSQL (whose TOAST already compresses large values). No SQLAlchemy here: the stdlib
reader of the cold command line unpacks with the same function.

A case's JSON repeats each quote once for every value it backs (about 25 values on 2-5
quotes), so it compresses about sevenfold; it was 45% of a 10,000-case SQLite file (issue 14).
Each document is small, so zlib starts from a preset dictionary of what every document repeats
(keys, variable names, codes: `scripts/pack_dictionary.py`), another third smaller (1,450 to
about 900 bytes a synthetic case). A stream names its dictionary by Adler-32 (zlib's DICTID),
so dictionaries are never edited, only added; streams packed without one (migration 0016) and
values stored as text (before 0016, or edited by hand) are read as they are.
"""

from __future__ import annotations

import zlib
from functools import cache
from importlib import resources

LEVEL = 6
DICTIONARIES = {3820479909: "pack-dictionary-1.txt"}
"""Every preset dictionary by its Adler-32; the last one packs new documents."""
_FDICT = 0x20  # zlib header: a preset dictionary follows (RFC 1950)


@cache
def dictionary(dict_id: int) -> bytes:
    name = DICTIONARIES[dict_id]
    data = resources.files("parley.storage").joinpath(name).read_bytes()
    if zlib.adler32(data) != dict_id:
        raise RuntimeError(f"{name} was edited: a packing dictionary must never change")
    return data


def pack_document(text: str) -> bytes:
    packer = zlib.compressobj(LEVEL, zdict=dictionary(list(DICTIONARIES)[-1]))
    return packer.compress(text.encode("utf-8")) + packer.flush()


def unpack_document(value: str | bytes | memoryview) -> str:
    """The JSON text of a stored document, compressed (with a dictionary or not) or not."""
    if isinstance(value, str):
        return value
    data = bytes(value)
    try:
        if len(data) > 6 and data[1] & _FDICT:
            dict_id = int.from_bytes(data[2:6], "big")
            if dict_id in DICTIONARIES:
                unpacker = zlib.decompressobj(zdict=dictionary(dict_id))
                return (unpacker.decompress(data) + unpacker.flush()).decode("utf-8")
        return zlib.decompress(data).decode("utf-8")
    except (zlib.error, UnicodeDecodeError):
        return data.decode("utf-8", errors="replace")  # not Parley's: fails as JSON later
