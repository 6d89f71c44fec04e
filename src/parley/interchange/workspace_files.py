"""Files in and out of a workspace: an uploaded document checked before it is kept, and the
workspace exported as JSON (`parley-workspace/1`), optionally with its personal names replaced.

Format work only: what may be uploaded and what an export looks like. Who may upload or
export, and the audit of it, stay in `services/workspaces.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from parley.domain.anonymise import Pseudonymiser
from parley.domain.errors import Problem, TooLarge, ValidationFailed
from parley.domain.workspace import (
    DOCUMENT_TYPES,
    KINDS,
    FieldType,
    Item,
    ItemKind,
    Member,
    Workspace,
    personal_names,
)

EXPORT_FORMAT = "parley-workspace/1"
MAGIC: Mapping[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
}
"""The first bytes a file of each binary type must start with (its declared type is not trusted)."""
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]")
SAFE_EXT = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True)
class Upload:
    """A checked upload: the name it is kept under and its media type."""

    filename: str
    content_type: str


def safe_filename(name: str) -> str:
    """The last path component, with anything but letters, digits, '._ -' replaced."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip().lstrip(".")
    cleaned = SAFE_NAME.sub("_", base)[:120]
    return cleaned or "upload"


def check_upload(filename: str, content_type: str, data: bytes, max_bytes: int) -> Upload:
    """Size, declared type, content and encoding checked; bad input names the `file` field."""
    if len(data) > max_bytes:
        raise TooLarge(f"file: larger than the limit of {max_bytes} bytes")
    if not data:
        raise ValidationFailed([Problem("is empty", field="file")])
    ctype = content_type.split(";")[0].strip().lower()
    if ctype not in DOCUMENT_TYPES:
        raise ValidationFailed([Problem(
            f"type '{ctype[:80]}' is not accepted; allowed: {', '.join(DOCUMENT_TYPES)}",
            field="file")])
    magic = MAGIC.get(ctype)
    if magic and not data.startswith(magic):
        raise ValidationFailed([Problem(f"content is not {ctype}", field="file")])
    if ctype.startswith("text/"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed([Problem("text files must be UTF-8", field="file")]
                                   ) from None
    name = safe_filename(filename)
    if not name.lower().endswith(DOCUMENT_TYPES[ctype]):
        name += DOCUMENT_TYPES[ctype]
    return Upload(name, ctype)


def item_document(i: Item) -> dict[str, Any]:
    """An item as JSON-ready data (exports and the command line)."""
    return {
        "id": i.id, "kind": i.kind.value, "classification": i.classification.value,
        "version": i.version, "created_by": i.created_by,
        "created_at": i.created_at.isoformat(), "updated_at": i.updated_at.isoformat(),
        "fields": dict(i.fields),
        **({"attachment": {"filename": i.attachment.filename,
                           "content_type": i.attachment.content_type,
                           "size": i.attachment.size,
                           "sha256": i.attachment.sha256}} if i.attachment else {}),
    }


def workspace_document(ws: Workspace, members: Iterable[Member], items: Sequence[Item],
                       unreadable: Iterable[str], *, pseudonyms: bytes | None = None
                       ) -> dict[str, Any]:
    """The export: workspace, members and items; with `pseudonyms` (the workspace's secret)
    personal names are replaced by stable pseudonyms in free text and user fields."""
    members = list(members)
    doc: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "workspace": {"id": ws.id, "name": ws.name, "description": ws.description,
                      "created_at": ws.created_at.isoformat()},
        "anonymised": pseudonyms is not None,
        "members": [{"user": m.user, "role": m.role.value} for m in members],
        "items": [item_document(i) for i in items],
        "unreadable": list(unreadable),
    }
    if pseudonyms is not None:
        names = personal_names(items) | {m.user for m in members} | {
            i.created_by for i in items}
        _pseudonymise(doc, Pseudonymiser(names, pseudonyms))
    return doc


def _pseudonymise(doc: dict[str, Any], p: Pseudonymiser) -> None:
    """Replace names in free text and in the user fields only; ids, codes and dates stay."""
    ws = doc["workspace"]
    ws["name"], ws["description"] = p.text(ws["name"]), p.text(ws["description"])
    for member in doc["members"]:
        member["user"] = p.text(member["user"])
    for item in doc["items"]:
        item["created_by"] = p.text(item["created_by"])
        free = {s.name for s in KINDS[ItemKind(item["kind"])]
                if s.type in (FieldType.LINE, FieldType.TEXT, FieldType.NAMES)}
        item["fields"] = {k: p.apply(v) if k in free else v for k, v in item["fields"].items()}
        att = item.get("attachment")
        if att:  # a file name is free text chosen by a person: replaced whole
            ext = PurePosixPath(att["filename"]).suffix
            att["filename"] = f"document-{item['id']}{ext if SAFE_EXT.match(ext) else ''}"
