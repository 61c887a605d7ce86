"""An upload, streamed into FOLDER: counted while it arrives, typed by content, never overwriting.

- The body is parsed as it arrives (python-multipart's push parser) and the ``file`` part is
  written to a hidden temporary file in FOLDER (``.~ledgerkit-upload-…``: no ledger name, so
  neither watch nor the page takes it). Past the limit the upload stops, the temporary file is
  removed and the answer is 413: nothing over the limit is ever kept.
- The type is the content's (security.kind_of): a text file named .xlsx is refused (422) and
  never written into FOLDER; an .xls renamed .xlsx is kept as .xls.
- The name is only a name (security.safe_stem). Into FOLDER without overwriting: the same
  content under that name already there is that file; other content becomes ``台账（2）.xlsx``,
  ``台账（3）.xlsx`` … (``os.link`` refuses an existing name, so two uploads at once cannot take
  the same one). The first version's input stays byte for byte what it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..support.atomic import _umask
from ..workflow.watch import file_hash
from . import security
from .folder import UPLOAD_PREFIX

HEAD_BYTES = 8


class UploadRefused(Exception):
    """The upload cannot be taken: its status code and sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Received:
    """The ``file`` part in a temporary file, and the form's other fields."""

    tmp: Path | None = None
    filename: str = ""
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)


class _Parts:
    """python-multipart's callbacks: headers per part, the file part into the temporary file."""

    def __init__(self, folder: Path, limit: int, received: Received) -> None:
        self.folder, self.limit, self.received = folder, limit, received
        self.header_name = self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.data = bytearray()
        self.out: Any = None

    def on_part_begin(self) -> None:
        self.disposition, self.name, self.data = b"", "", bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        from python_multipart.multipart import parse_options_header

        _kind, options = parse_options_header(self.disposition)
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        if self.name == "file" and b"filename" in options and self.received.tmp is None:
            fd, tmp = tempfile.mkstemp(prefix=UPLOAD_PREFIX, suffix=".part", dir=self.folder)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's owner-only: the input sits on a shared drive
            self.out = os.fdopen(fd, "wb")
            self.received.tmp = Path(tmp)
            self.received.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.out is not None:
            self.received.size += len(chunk)
            if self.received.size > self.limit:
                raise UploadRefused(413, "")
            self.out.write(chunk)
        elif len(self.data) + len(chunk) <= 1000:  # as_of and the like: short texts
            self.data += chunk

    def on_part_end(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None
        elif self.name:
            self.received.fields[self.name] = self.data.decode("utf-8", "replace")


async def receive(stream: AsyncIterator[bytes], content_type: str, folder: Path, limit: int) -> Received:
    """Parse a multipart body into FOLDER's temporary area; UploadRefused on any trouble (the
    temporary file is then already removed)."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "请用网页上的文件选择框上传台账（multipart/form-data，字段 file）。")
    received = Received()
    parts = _Parts(folder, limit, received)
    callbacks = {n: getattr(parts, n) for n in dir(parts) if n.startswith("on_")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except BaseException as exc:
        if parts.out is not None:
            parts.out.close()
        discard(received)
        if isinstance(exc, UploadRefused):
            raise
        if isinstance(exc, Exception):
            raise UploadRefused(400, "上传的内容不完整或格式不对，请重新选择文件上传。") from None
        raise
    if received.tmp is None:
        raise UploadRefused(400, "没有收到文件：请选择一个台账文件（字段 file）。")
    return received


def discard(received: Received) -> None:
    if received.tmp is not None:
        received.tmp.unlink(missing_ok=True)


def kind_of_file(path: Path) -> security.Kind:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    names: list[str] | None = None
    content_types = b""
    if head.startswith(security.ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if "[Content_Types].xml" in names:
                    content_types = z.read("[Content_Types].xml")[:100_000]
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
            names = None
    return security.kind_of(head, names, content_types)


def place(received: Received, folder: Path) -> Path:
    """Move the received file into FOLDER under its own name, never over another file:
    the path it now has (an existing file when that one holds the same content)."""
    assert received.tmp is not None
    kind = kind_of_file(received.tmp)
    if kind.problem:
        discard(received)
        shown = security.safe_stem(received.filename) + (Path(received.filename).suffix or "")
        raise UploadRefused(422, f"“{shown}”{kind.problem}。")
    stem = security.safe_stem(received.filename)
    digest = file_hash(received.tmp)
    try:
        n = 1
        while True:
            target = folder / (f"{stem}{kind.suffix}" if n == 1 else f"{stem}（{n}）{kind.suffix}")
            try:
                _link(received.tmp, target)  # fails when the name is taken: never overwrites
                return target
            except FileExistsError:
                with contextlib.suppress(OSError):
                    if target.is_file() and file_hash(target) == digest:
                        return target  # this very content is already there under this name
            n += 1
    finally:
        discard(received)


def _link(tmp: Path, target: Path) -> None:
    """``target`` made from ``tmp`` only if no file has that name (FileExistsError otherwise)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT, some shares): an exclusive copy
        import shutil

        with open(tmp, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst)
