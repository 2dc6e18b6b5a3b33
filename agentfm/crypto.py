"""`SwarmKey`: the libp2p pre-shared key that makes an AgentFM mesh private (`-swarmkey`).

The key file is three lines, the format go-libp2p's `pnet` reads and `ipfs-swarm-key-gen` writes:

    /key/swarm/psk/1.0.0/
    /base16/
    <64 hex characters: the 32-byte key>

    key = SwarmKey.generate()
    key.save("swarm.key")                 # mode 0600 from the first byte, replaced atomically
    assert SwarmKey.load("swarm.key") == key
    SwarmKey(key.key_hex) == SwarmKey.from_string(key.to_text())   # the 0.3.0 spellings

Choices: only `/base16/` is accepted (go-libp2p also reads `/base64/` and `/bin/`, but AgentFM and
the usual generators write base16; a file in another encoding is refused with a message saying
so); hex digits of either case are read, lowercase is written; `\\r\\n` line ends and trailing
whitespace at the end of the file are tolerated, anything else is refused (`InvalidSwarmKeyError`,
also a `ValueError`). `save` replaces an existing file atomically (as 0.3.0 did), or refuses it
with `overwrite=False`. The key never appears in a repr or an error message: they show a
fingerprint (the first 16 hex characters of the key's SHA-256), which is safe to compare between
machines. `str(key)`, as in 0.3.0, is the key file's text (so writing `str(key)` to a file gives
a valid key file): it holds the secret, so do not log it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import stat
from pathlib import Path

from agentfm.exceptions import InvalidRequestError, InvalidSwarmKeyError, SwarmKeyNotFoundError

__all__ = ["HEADER", "KEY_HEX_LEN", "SwarmKey"]

logger = logging.getLogger("agentfm.crypto")

KEY_BYTES = 32
KEY_HEX_LEN = 2 * KEY_BYTES
_HEADER = "/key/swarm/psk/1.0.0/"
_ENCODING = "/base16/"
HEADER = f"{_HEADER}\n{_ENCODING}\n"
"""The first two lines of a key file; the third is the key's `KEY_HEX_LEN` hex digits."""
_OTHER_ENCODINGS = ("/base64/", "/bin/")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# A key file is a few dozen bytes; refuse to read anything large by mistake.
_MAX_FILE_BYTES = 4096


def _invalid(reason: str) -> InvalidSwarmKeyError:
    return InvalidSwarmKeyError(f"not a swarm key file: {reason}", code="invalid_swarm_key")


class SwarmKey:
    """A 32-byte libp2p private-network key. Compares equal by value, in constant time.

    `SwarmKey(key)`: the 32 key bytes, or (as in 0.3.0) their 64 hex digits as a str.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes | str) -> None:
        if isinstance(key, str):
            if len(key) != KEY_HEX_LEN or not set(key) <= _HEX_DIGITS:
                raise InvalidSwarmKeyError(
                    f"a swarm key in hex is exactly {KEY_HEX_LEN} hex digits",
                    code="invalid_swarm_key",
                )
            key = bytes.fromhex(key)
        if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
            raise InvalidSwarmKeyError(
                f"a swarm key is exactly {KEY_BYTES} bytes (or {KEY_HEX_LEN} hex digits)",
                code="invalid_swarm_key",
            )
        self._key = bytes(key)

    @classmethod
    def generate(cls) -> SwarmKey:
        """A new random key (from the operating system's CSPRNG)."""
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def parse(cls, text: str) -> SwarmKey:
        """Read the three-line file format; `InvalidRequestError` (`invalid_swarm_key`) if off."""
        if not isinstance(text, str):
            raise _invalid("expected the file's text as a str")
        lines = text.rstrip(" \t\r\n").split("\n")
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        if not lines or lines[0] != _HEADER:
            raise _invalid(f"the first line must be {_HEADER}")
        if len(lines) < 2 or lines[1] != _ENCODING:
            found = lines[1] if len(lines) > 1 else ""
            if found in _OTHER_ENCODINGS:
                raise _invalid(
                    f"the key is {found.strip('/')}-encoded; only {_ENCODING} keys are accepted "
                    "(convert it to 64 hex characters)"
                )
            raise _invalid(f"the second line must be {_ENCODING}")
        if len(lines) != 3:
            raise _invalid("expected exactly three lines: header, encoding, key")
        digits = lines[2]
        if len(digits) != 2 * KEY_BYTES or not set(digits) <= _HEX_DIGITS:
            raise _invalid(f"the third line must be {2 * KEY_BYTES} hex characters")
        return cls(bytes.fromhex(digits))

    @classmethod
    def from_string(cls, text: str) -> SwarmKey:
        """The 0.3.0 name of `parse`: read a key file's text."""
        return cls.parse(text)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SwarmKey:
        """Read a key file. A file others can read is accepted, with a logged warning."""
        try:
            with open(path, "rb") as handle:
                if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_mode & 0o077:
                    logger.warning("swarm key file %s is readable by other users", path)
                raw = handle.read(_MAX_FILE_BYTES + 1)
        except FileNotFoundError:
            raise SwarmKeyNotFoundError(
                f"swarm key file {path} does not exist", code="swarm_key_not_found"
            ) from None
        except OSError as error:
            raise InvalidRequestError(
                f"cannot read swarm key file {path}: {error.strerror or error}",
                code="swarm_key_unreadable",
            ) from None
        if len(raw) > _MAX_FILE_BYTES:
            raise _invalid(f"{path} is larger than a swarm key file")
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise _invalid(f"{path} is not ASCII text") from None
        return cls.parse(text)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write the key file, readable by its owner only (0600) from the first byte.

        Missing parent folders are created. An existing file is replaced atomically (a new file
        is written beside it and renamed over it), as 0.3.0 replaced it; `overwrite=False`
        refuses it instead (`swarm_key_exists`). Returns the absolute path written.
        """
        target = Path(os.path.abspath(path))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InvalidRequestError(
                f"cannot create the folder of swarm key file {target}: {error.strerror or error}",
                code="swarm_key_unwritable",
            ) from None
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        written = target
        if overwrite:
            written = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            descriptor = os.open(written, flags, 0o600)
        except FileExistsError:
            raise InvalidRequestError(
                f"{target} already exists; pass overwrite=True to replace it",
                code="swarm_key_exists",
            ) from None
        except OSError as error:
            raise InvalidRequestError(
                f"cannot create swarm key file {target}: {error.strerror or error}",
                code="swarm_key_unwritable",
            ) from None
        try:
            with open(descriptor, "wb") as handle:
                if hasattr(os, "fchmod"):
                    # The umask can only have removed bits; make it exactly owner read/write.
                    os.fchmod(handle.fileno(), stat.S_IRUSR | stat.S_IWUSR)
                handle.write(self.to_file_text().encode("ascii"))
                handle.flush()
                os.fsync(handle.fileno())
            if written != target:
                os.replace(written, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(written)
            raise InvalidRequestError(
                f"cannot write swarm key file {target}: {error.strerror or error}",
                code="swarm_key_unwritable",
            ) from None
        return target

    def to_file_text(self) -> str:
        """The key file's content. Contains the secret: handle it like the file."""
        return f"{HEADER}{self.key_hex}\n"

    def to_text(self) -> str:
        """The 0.3.0 name of `to_file_text`. Contains the secret."""
        return self.to_file_text()

    @property
    def key_hex(self) -> str:
        """The key as 64 lowercase hex digits. This is the secret itself."""
        return self._key.hex()

    def to_bytes(self) -> bytes:
        """The raw 32 secret bytes."""
        return self._key

    @property
    def fingerprint(self) -> str:
        """16 hex characters identifying the key without revealing it."""
        return hashlib.sha256(self._key).hexdigest()[:16]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SwarmKey):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"SwarmKey(fingerprint={self.fingerprint!r})"

    def __str__(self) -> str:
        # 0.3.0 code writes `str(key)` to a file: that must stay a valid key file.
        return self.to_file_text()
