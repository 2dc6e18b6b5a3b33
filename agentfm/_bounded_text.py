"""`BoundedText`: the text of a stream kept up to a cap, so a stream that never ends cannot grow
the SDK's memory without limit (issue: an endless task stream)."""

from __future__ import annotations

__all__ = ["BoundedText"]


class BoundedText:
    """Appended text, kept up to `limit_bytes` bytes of UTF-8; what comes later is only counted.

    Time per `append` is linear in the piece; memory is at most `limit_bytes` (plus the list).
    """

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self._pieces: list[str] = []
        self._kept_bytes = 0
        self.received_bytes = 0
        """Bytes of text appended so far, kept or not."""

    @property
    def text(self) -> str:
        """The kept text: everything appended, or its first `limit_bytes` bytes."""
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    @property
    def overflowed(self) -> bool:
        """True once more text arrived than was kept."""
        return self.received_bytes > self._kept_bytes

    def append(self, piece: str) -> None:
        size = len(piece) if piece.isascii() else len(piece.encode("utf-8", "surrogatepass"))
        self.received_bytes += size
        room = self.limit_bytes - self._kept_bytes
        if room <= 0:
            return
        if size > room:
            # Cut on a character boundary: a partial sequence at the cut is dropped.
            piece = piece.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore")
            size = len(piece.encode("utf-8", "surrogatepass"))
        self._pieces.append(piece)
        self._kept_bytes += size
