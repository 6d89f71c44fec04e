"""Files only their owner may read: every file Parley writes for a person (exports, reports,
key rings, backups' key lists, audit checkpoints).

One implementation for the command line and the storage: the file is written to a temporary
name created 0600, flushed to disk, renamed over the target and the folder synced, so a crash
leaves the old file or the new one, never half of one, and no one else can read it even for a
moment (an existing file's wider mode is not inherited).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE = 0o600


def write_private(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` (text is written as UTF-8), mode 0600, atomically."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)  # a leftover temporary file keeps its old mode otherwise
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    _sync_folder(path.parent)


def append_private(path: Path, line: str) -> None:
    """Append one line, creating the file 0600, and fsync it."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
