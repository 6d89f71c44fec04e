"""Files the CLI writes for the user: owner-only (0600), even when the file already existed."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def write_private_text(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 (see `write_private_bytes`)."""
    write_private_bytes(path, text.encode("utf-8"))


def write_private_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` with mode 0600 (an existing file is truncated and chmod-ed first,
    so no one else can read what is written even for a moment)."""
    fd = os.open(path.expanduser(), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
