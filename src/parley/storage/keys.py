"""Master keys (outside the database) and AES-256-GCM sealing of data keys and content.

    master key (key file 0600 or PARLEY_MASTER_KEY), versioned
      └── wraps one data key per workspace (stored wrapped, with the master key's version)
            └── encrypts restricted and secret item fields and attachments

Sealed bytes are `0x01 || 12-byte nonce || ciphertext+tag`; the associated data binds each
ciphertext to where it belongs (workspace, item, purpose), so a ciphertext copied to another
row fails to open. A key ring holds every master key version not yet retired; rotation adds a
version, re-wraps every data key under it (one transaction), then retires the old versions.

Key ring text (file or environment): one `VERSION:BASE64KEY` per line (or comma-separated);
a bare base64 key is version 1.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parley.domain.errors import ConfigurationError, KeyUnavailable
from parley.private_files import write_private

FORMAT_AES_GCM = 1
NONCE = 12
KEY_BYTES = 32


def seal(key: bytes, plaintext: bytes, aad: str) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    return bytes([FORMAT_AES_GCM]) + nonce + AESGCM(key).encrypt(nonce, plaintext,
                                                                  aad.encode("utf-8"))


def unseal(key: bytes, blob: bytes, aad: str) -> bytes:
    if not blob or blob[0] != FORMAT_AES_GCM:
        raise ConfigurationError(f"unknown ciphertext format for {aad}")
    try:
        return AESGCM(key).decrypt(blob[1:1 + NONCE], blob[1 + NONCE:], aad.encode("utf-8"))
    except InvalidTag:
        raise ConfigurationError(
            f"cannot decrypt {aad}: wrong key or tampered ciphertext") from None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def derive(key: bytes, purpose: str) -> bytes:
    """A subkey for another purpose (CSRF signing, pseudonyms), never the key itself."""
    return hmac.new(key, b"parley-derive|" + purpose.encode("utf-8"), hashlib.sha256).digest()


def parse_ring(text: str, origin: str) -> dict[int, bytes]:
    keys: dict[int, bytes] = {}
    parts = [p.strip() for p in text.replace(",", "\n").splitlines() if p.strip()
             and not p.strip().startswith("#")]
    for part in parts:
        version_text, sep, b64 = part.partition(":")
        if not sep:
            version_text, b64 = "1", part
        try:
            version = int(version_text)
            key = base64.b64decode(b64, validate=True)
        except (ValueError, binascii.Error):
            raise ConfigurationError(f"{origin}: not a key ring (lines VERSION:BASE64KEY)"
                                     ) from None
        if len(key) != KEY_BYTES or version < 1:
            raise ConfigurationError(f"{origin}: key version {version} is not a 256-bit key")
        keys[version] = key
    if not keys:
        raise ConfigurationError(f"{origin}: holds no key")
    return keys


def format_ring(keys: dict[int, bytes]) -> str:
    return "".join(f"{v}:{base64.b64encode(k).decode('ascii')}\n" for v, k in sorted(keys.items()))


def data_key_aad(owner: str) -> str:
    """Associated data of a data key wrapped by the master key ring for `owner` (a workspace
    id, or `scenario:<id>` for a saved assessment)."""
    return f"data-key|{owner}"


def check_value(key: bytes) -> str:
    """A key-check value: identifies a master key version without revealing it (128 bits)."""
    return hmac.new(key, b"parley-key-check", hashlib.sha256).hexdigest()[:32]


@dataclass
class KeyRing:
    """Master key versions. The database names the version that wraps new data keys
    (`key_versions`, see key_store.py); `active_version` (the highest here) is the one a
    rotation or a restore re-wraps to.
    """

    keys: dict[int, bytes]
    path: Path | None = None
    created: bool = False
    origin: str = field(default="")

    @property
    def active_version(self) -> int:
        return max(self.keys)

    def key(self, version: int) -> bytes:
        try:
            return self.keys[version]
        except KeyError:
            raise KeyUnavailable(
                f"master key version {version} is not in {self.origin}; a data key was wrapped "
                "with it (restore the key ring that holds it: parley keys import FILE)") from None

    def check(self, version: int) -> str:
        return check_value(self.key(version))

    def wrap(self, data_key: bytes, workspace_id: str, version: int | None = None
             ) -> tuple[bytes, int]:
        version = self.active_version if version is None else version
        return seal(self.key(version), data_key, data_key_aad(workspace_id)), version

    def unwrap(self, wrapped: bytes, version: int, workspace_id: str) -> bytes:
        return unseal(self.key(version), wrapped, data_key_aad(workspace_id))

    def merged(self, other: dict[int, bytes]) -> KeyRing:
        """This ring plus `other`'s versions (this ring's keys win; callers check conflicts)."""
        return KeyRing({**other, **self.keys}, self.path, origin=self.origin)

    def text(self) -> str:
        return format_ring(self.keys)

    @classmethod
    def from_text(cls, text: str, origin: str = "PARLEY_MASTER_KEY") -> KeyRing:
        return cls(parse_ring(text, origin), None, origin=origin)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> KeyRing:
        """Load the ring from `path`; create it (0600, one fresh key) only if told and missing."""
        path = path.expanduser()
        if path.exists():
            return cls(read_ring_file(path), path, origin=str(path))
        if not create:
            raise KeyFileMissing(path)
        ring = cls({1: secrets.token_bytes(KEY_BYTES)}, path, created=True, origin=str(path))
        write_private(path, ring.text())
        return ring


class KeyFileMissing(KeyUnavailable):
    """The key file is gone; never replaced silently when the database holds wrapped keys."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"master key file {path} does not exist")


def read_ring_file(path: Path) -> dict[int, bytes]:
    """A ring file's keys; refused when others can read it."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise ConfigurationError(
            f"master key file {path} is readable by others (mode {mode:o}); "
            f"run: chmod 600 {path}")
    return parse_ring(path.read_text(encoding="ascii"), str(path))


@dataclass(frozen=True)
class RingSource:
    """Where the master key ring comes from: PARLEY_MASTER_KEY, else the key file.

    Beside a key file, `<keyfile>.retired` (0600) keeps the versions a rotation retired: the
    server never wraps or unwraps with them, but `parley db restore` uses them to re-wrap the
    data keys of a backup taken before a rotation, and `parley keys export` escrows them.
    """

    path: Path | None
    env_text: str | None = None

    @property
    def from_env(self) -> bool:
        return self.env_text is not None

    @property
    def retired_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".retired")

    def describe(self) -> str:
        return "PARLEY_MASTER_KEY" if self.from_env else str(self.path)

    def exists(self) -> bool:
        return self.from_env or (self.path is not None and self.path.expanduser().exists())

    def load(self, *, create: bool = False) -> KeyRing:
        if self.env_text is not None:
            return KeyRing.from_text(self.env_text)
        assert self.path is not None
        return KeyRing.from_file(self.path, create=create)

    def retired(self) -> dict[int, bytes]:
        rp = self.retired_path
        if rp is None or not rp.expanduser().exists():
            return {}
        return read_ring_file(rp.expanduser())

    def save(self, keys: dict[int, bytes]) -> None:
        """Replace the key file's ring (atomic, 0600); an error with PARLEY_MASTER_KEY."""
        if self.path is None:
            raise ConfigurationError("PARLEY_MASTER_KEY is set: the ring cannot be written; "
                                     "change the environment variable instead")
        write_private(self.path.expanduser(), format_ring(keys))

    def save_retired(self, keys: dict[int, bytes]) -> None:
        rp = self.retired_path
        if rp is not None and keys:
            write_private(rp.expanduser(), format_ring(keys))
