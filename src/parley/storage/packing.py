"""The stored form of a case document: zlib-compressed JSON on SQLite, plain JSON text on
PostgreSQL (whose TOAST already compresses large values). No SQLAlchemy here: the stdlib
reader of the cold command line unpacks with the same function.

A case's JSON repeats each quote once for every value it backs (about 25 values on 2-5
quotes), so it compresses about sevenfold; it was 45% of a 10,000-case SQLite file (issue 14).
A value stored as text (rows written before migration 0016, or edited by hand) is read as is.
"""

from __future__ import annotations

import zlib

LEVEL = 6


def pack_document(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), LEVEL)


def unpack_document(value: str | bytes | memoryview) -> str:
    """The JSON text of a stored document, compressed or not."""
    if isinstance(value, str):
        return value
    data = bytes(value)
    try:
        return zlib.decompress(data).decode("utf-8")
    except zlib.error:
        return data.decode("utf-8", errors="replace")  # not Parley's: fails as JSON later
