"""Small real media files made in code: a JPEG/PNG by Pillow, an MP4 built box by box (ftyp,
moov with mvhd/tkhd/mdhd, mdat) so its duration and size are what we say. The local demo's
history uses them, and so do the tests."""

from __future__ import annotations

import io
import struct

from PIL import Image


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (1080, 1080),
    color: tuple[int, int, int] = (91, 76, 240),
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


_MATRIX = struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000)


def mp4_bytes(
    duration: float = 5.0, width: int = 1080, height: int = 1920, padding: int = 4096
) -> bytes:
    scale = 1000
    length = int(duration * scale)
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = _box(
        b"mvhd",
        struct.pack(">B3xIIII", 0, 0, 0, scale, length)
        + struct.pack(">IH", 0x00010000, 0x0100)
        + b"\0" * 10
        + _MATRIX
        + b"\0" * 24
        + struct.pack(">I", 2),
    )
    tkhd = _box(
        b"tkhd",
        struct.pack(">B3sIIII", 0, b"\0\0\x03", 0, 0, 1, 0)
        + struct.pack(">I", length)
        + b"\0" * 8
        + struct.pack(">hhhH", 0, 0, 0, 0)
        + _MATRIX
        + struct.pack(">II", width << 16, height << 16),
    )
    mdhd = _box(
        b"mdhd", struct.pack(">B3xIIII", 0, 0, 0, scale, length) + struct.pack(">HH", 0x55C4, 0)
    )
    hdlr = _box(b"hdlr", struct.pack(">B3xI4s12x", 0, 0, b"vide") + b"VideoHandler\0")
    moov = _box(b"moov", mvhd + _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr)))
    return ftyp + moov + _box(b"mdat", b"\0" * padding)
