"""A zip archive written straight into the HTTP response, a few chunks at a time, never whole in memory."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

CHUNK_SIZE = 256 * 1024


class _Pipe(io.RawIOBase):
    """A write-only, unseekable sink; zipfile then writes sizes after each member (data descriptors)."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._pending.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._pending)
        self._pending.clear()
        return data


def zip_stream(members: Iterable[tuple[str, object, datetime | None]]) -> Iterator[bytes]:
    """Yield a zip file made of ``(name in archive, opener, modified)``.

    ``opener`` is a callable returning a readable binary file, or ``bytes``. Photos are already compressed,
    so members are stored, not deflated; text members are deflated.
    """
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", allowZip64=True) as archive:
        for name, source, modified in members:
            info = zipfile.ZipInfo(name, date_time=(modified or datetime.now()).timetuple()[:6])
            if isinstance(source, bytes):
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, mode="w") as member:
                    member.write(source)
                yield pipe.take()
                continue
            info.compress_type = zipfile.ZIP_STORED
            with source() as stored, archive.open(info, mode="w", force_zip64=True) as member:
                while chunk := stored.read(CHUNK_SIZE):
                    member.write(chunk)
                    yield pipe.take()
            yield pipe.take()
    yield pipe.take()
