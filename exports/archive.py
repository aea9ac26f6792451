"""Writing the export ZIP with bounded memory: JSON is written one row at a time, files are
copied from storage in chunks, and the archive itself lives in a temporary file on disk."""

from __future__ import annotations

import io
import json
import posixpath
import shutil
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from botocore.exceptions import ClientError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from storages.backends.s3 import S3Storage

CHUNK = 1024 * 1024


def _dumps(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def write_json(fp: IO[str], document: dict[str, Any]) -> None:
    """Write `document` as indented JSON. A value that is an iterator is written as a list,
    item by item, so a file of 100,000 rows never exists as one Python list."""
    fp.write("{")
    for index, (key, value) in enumerate(document.items()):
        fp.write(",\n  " if index else "\n  ")
        fp.write(f"{_dumps(key)}: ")
        if isinstance(value, Iterator):
            empty = True
            for item in value:
                fp.write("[\n    " if empty else ",\n    ")
                # json.dumps escapes newlines inside strings, so every newline is layout.
                fp.write(_dumps(item).replace("\n", "\n    "))
                empty = False
            fp.write("[]" if empty else "\n  ]")
        else:
            fp.write(_dumps(value).replace("\n", "\n  "))
    fp.write("\n}\n")


def open_stream(storage: Storage, name: str) -> IO[bytes]:
    """A file in storage, readable in chunks.

    django-storages' S3 `open()` downloads the whole object into a SpooledTemporaryFile first,
    and with its default `max_memory_size` (0) that file never spills to disk: a 1 GB video
    would sit in memory. The object's body stream reads it as it comes instead."""
    if isinstance(storage, S3Storage):
        try:
            return storage.bucket.Object(storage._normalize_name(name)).get()["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(name) from exc
            raise
    return storage.open(name, "rb")


def save_file(storage: Storage, name: str, path: str) -> str:
    """Store the file at `path` under `name`; the name stored.

    For S3, an upload by file name: boto3 then reads each part from disk as it sends it,
    where an upload from a file object (storage.save) first buffers up to ten 8 MB parts."""
    if isinstance(storage, S3Storage):
        key = storage._normalize_name(name)
        storage.bucket.upload_file(
            path,
            key,
            ExtraArgs=storage._get_write_parameters(key),
            Config=storage.transfer_config,
        )
        return name
    with open(path, "rb") as data:
        return storage.save(name, File(data, name=posixpath.basename(name)))


class Archive:
    """A ZIP being written to `fileobj` (a seekable temporary file)."""

    def __init__(self, fileobj: IO[bytes], when: datetime) -> None:
        self.zip = zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.date_time = when.timetuple()[:6]

    def _info(self, name: str, compress: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = compress
        info.external_attr = 0o644 << 16  # a readable file once unpacked
        return info

    def add_json(self, name: str, document: dict[str, Any]) -> None:
        # Size unknown in advance: ZIP64 headers, so no file is too large.
        info = self._info(name, zipfile.ZIP_DEFLATED)
        with (
            self.zip.open(info, "w", force_zip64=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as fp,
        ):
            write_json(fp, document)

    def add_text(self, name: str, text: str) -> None:
        self.zip.writestr(self._info(name, zipfile.ZIP_DEFLATED), text.encode())

    def add_from_storage(self, name: str, storage: Storage, source: str) -> int:
        """Copy a stored file into the archive in chunks; its size in bytes."""
        # Photos and videos are compressed already: stored as they are, which costs no CPU.
        info = self._info(name, zipfile.ZIP_STORED)
        stream = open_stream(storage, source)
        try:
            with self.zip.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(stream, target, CHUNK)
        finally:
            stream.close()
        return info.file_size

    def names(self) -> list[str]:
        return self.zip.namelist()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Also on failure: a ZipFile left open would try to finish itself in a deleted file.
        self.zip.close()
