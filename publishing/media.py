"""Taking a file into the media library: its type, size, dimensions and duration come from
its content (Pillow for images, hachoir for videos), never from its name."""

from __future__ import annotations

import io
import logging
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from accounts.models import User, Workspace
from mixora.errors import UserFacingError

from .models import Media

log = logging.getLogger(__name__)

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
MAX_IMAGE_PIXELS = 8192
THUMBNAIL_SIZE = (480, 480)
# A video's frame comes from the uploader's browser (there is no video decoder on the server):
# a small JPEG or PNG, re-encoded here so only pixels are kept.
MAX_FRAME_BYTES = 2 * 1024 * 1024
MAX_FRAME_PIXELS = 4096


def _image_facts(stream: IO[bytes]) -> dict | None:
    try:
        with Image.open(stream) as image:
            image.verify()
        stream.seek(0)
        with Image.open(stream) as image:
            fmt, width, height = image.format, image.width, image.height
    # verify() raises SyntaxError for a broken PNG.
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        return None
    finally:
        stream.seek(0)
    if fmt not in IMAGE_TYPES:
        return None
    return {
        "kind": Media.Kind.IMAGE,
        "content_type": IMAGE_TYPES[fmt],
        "width": width,
        "height": height,
        "extension": fmt.lower().replace("jpeg", "jpg"),
    }


def _video_facts(stream: IO[bytes]) -> dict | None:
    from hachoir.core import config as hachoir_config
    from hachoir.metadata import extractMetadata
    from hachoir.parser import guessParser
    from hachoir.stream import InputIOStream

    hachoir_config.quiet = True
    try:
        parser = guessParser(InputIOStream(stream, filename=""))
        if parser is None or parser.mime_type not in VIDEO_TYPES:
            return None
        # No `with parser`: closing it would close the upload we still have to store.
        metadata = extractMetadata(parser)
    except Exception:  # hachoir raises many kinds on garbage; all mean "not a video we read"
        log.info("hachoir could not read an upload", exc_info=True)
        return None
    finally:
        stream.seek(0)
    if metadata is None or not metadata.has("duration"):
        return None
    return {
        "kind": Media.Kind.VIDEO,
        "content_type": parser.mime_type,
        "duration": metadata.get("duration").total_seconds(),
        "width": metadata.get("width") if metadata.has("width") else None,
        "height": metadata.get("height") if metadata.has("height") else None,
        "extension": VIDEO_TYPES[parser.mime_type],
    }


def _thumbnail(stream: IO[bytes]) -> ContentFile:
    with Image.open(stream) as image:
        image = image.convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
    stream.seek(0)
    return ContentFile(out.getvalue(), name="thumb.jpg")


def _frame_thumbnail(frame: UploadedFile | None) -> ContentFile | None:
    """The browser's still of a video as our own JPEG, or None when it is not a small image
    (the tile then shows the video itself)."""
    if frame is None or frame.size > MAX_FRAME_BYTES:
        return None
    stream = frame.file
    stream.seek(0)
    facts = _image_facts(stream)
    if facts is None or facts["content_type"] not in {"image/jpeg", "image/png"}:
        return None
    if max(facts["width"], facts["height"]) > MAX_FRAME_PIXELS:
        return None
    return _thumbnail(stream)


def ingest(
    workspace: Workspace, user: User, upload: UploadedFile, frame: UploadedFile | None = None
) -> Media:
    """Check an upload by its content and store it; a refusal raises UserFacingError. `frame`
    is an optional still of a video, drawn by the uploader's browser."""
    stream = upload.file
    stream.seek(0)
    facts = _image_facts(stream) or _video_facts(stream)
    if facts is None:
        raise UserFacingError(
            f"“{upload.name}” is not an image (JPEG, PNG, GIF, WebP) or video (MP4, MOV, WebM) "
            "we can read."
        )
    if facts["kind"] == Media.Kind.IMAGE:
        if upload.size > MAX_IMAGE_BYTES:
            raise UserFacingError(f"“{upload.name}” is over the 8 MB limit for images.")
        if max(facts["width"], facts["height"]) > MAX_IMAGE_PIXELS:
            raise UserFacingError(f"“{upload.name}” is larger than 8192 pixels on a side.")
    elif upload.size > MAX_VIDEO_BYTES:
        raise UserFacingError(f"“{upload.name}” is over the 1 GB limit for videos.")
    extension = facts.pop("extension")
    media = Media(
        workspace=workspace,
        uploaded_by=user,
        name=upload.name[:200],
        size=upload.size,
        **facts,
    )
    with transaction.atomic():
        media.file.save(f"upload.{extension}", upload, save=False)
        if media.kind == Media.Kind.IMAGE:
            media.thumbnail.save("thumb.jpg", _thumbnail(stream), save=False)
        elif still := _frame_thumbnail(frame):
            media.thumbnail.save("thumb.jpg", still, save=False)
        media.save()
    return media
