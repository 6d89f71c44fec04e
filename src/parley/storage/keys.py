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
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from parley.domain.errors import ConfigurationError

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


@dataclass
class KeyRing:
    """The master keys; the highest version wraps new data keys.

    `path` is None when the keys come from the environment: then rotation cannot persist the
    new ring and hands it back to the operator instead.
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
            raise ConfigurationError(
                f"master key version {version} is not in {self.origin}; a data key was wrapped "
                "with it (restore the key ring that holds it)") from None

    def wrap(self, data_key: bytes, workspace_id: str) -> tuple[bytes, int]:
        version = self.active_version
        return seal(self.keys[version], data_key, f"data-key|{workspace_id}"), version

    def unwrap(self, wrapped: bytes, version: int, workspace_id: str) -> bytes:
        return unseal(self.key(version), wrapped, f"data-key|{workspace_id}")

    def add_version(self) -> int:
        """Add a new master key version and persist the ring (old versions kept)."""
        version = self.active_version + 1
        self.keys[version] = secrets.token_bytes(KEY_BYTES)
        self._persist()
        return version

    def retire_all_but(self, version: int) -> None:
        self.keys = {version: self.keys[version]}
        self._persist()

    def text(self) -> str:
        return format_ring(self.keys)

    def _persist(self) -> None:
        if self.path is not None:
            write_private(self.path, self.text())

    @classmethod
    def from_text(cls, text: str, origin: str = "PARLEY_MASTER_KEY") -> KeyRing:
        return cls(parse_ring(text, origin), None, origin=origin)

    @classmethod
    def from_file(cls, path: Path, *, create: bool = True) -> KeyRing:
        """Load the ring from `path`, creating it (mode 0600) with a fresh key if missing."""
        path = path.expanduser()
        if path.exists():
            mode = path.stat().st_mode & 0o777
            if mode & 0o077:
                raise ConfigurationError(
                    f"master key file {path} is readable by others (mode {mode:o}); "
                    f"run: chmod 600 {path}")
            return cls(parse_ring(path.read_text(encoding="ascii"), str(path)), path,
                       origin=str(path))
        if not create:
            raise ConfigurationError(f"master key file {path} does not exist")
        ring = cls({1: secrets.token_bytes(KEY_BYTES)}, path, created=True, origin=str(path))
        ring._persist()
        return ring


def write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600 (temp file, fsync, rename, fsync the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
