"""Code packages: zip archives unpacked once per distinct CodeSha256, and local directories.

Packages live under one root folder: `<data dir>/lambda` (a temporary folder in memory mode,
removed when the server stops), as `zips/<hex sha256>.zip` (served back as Code.Location) and
`packages/<hex sha256>/` (the unpacked tree environments run). Functions and layers that
upload the same bytes share one package.

A function created with `Code={"S3Bucket": "hot-reload", "S3Key": "/abs/dir"}` runs the
user's own directory in place (the LocalStack convention). Its CodeSha256 is a digest of the
directory listing at create/update time: the relative path, type, permission bits, size and
modification time (ns) of every entry, sorted, hashed with SHA-256 and base64-encoded like
a zip's; CodeSize is 0, as LocalStack reports.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import shutil
import stat
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidal.awslambda.errors import InvalidParameterValueException, RequestEntityTooLargeException
from tidal.core.runtime import Runtime

MAX_ZIPPED = 52_428_800
"""Bytes a directly uploaded package may have (50 MB)."""
MAX_UNZIPPED = 262_144_000
"""Bytes a package may unpack to, layers included (250 MB)."""
HOT_RELOAD_BUCKET = "hot-reload"

UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Package:
    """What a configuration records of its code: `{"kind": "zip", "hex": …}` or
    `{"kind": "dir", "path": …}` (see `record`)."""

    sha256: str
    """Base64 of the SHA-256 digest, as CodeSha256 shows it."""
    size: int
    kind: str
    """`zip` (an uploaded archive, unpacked in the store) or `dir` (a hot-reload directory)."""
    hex: str = ""
    path: str = ""

    def record(self) -> dict[str, Any]:
        if self.kind == "dir":
            return {"kind": "dir", "path": self.path}
        return {"kind": "zip", "hex": self.hex}


class CodeStore:
    """The folder that holds every package of a server."""

    def __init__(self, root: Path, temporary: bool) -> None:
        self.root = root
        self.temporary = temporary
        (root / "zips").mkdir(parents=True, exist_ok=True)
        (root / "packages").mkdir(parents=True, exist_ok=True)

    def zip_path(self, hex_digest: str) -> Path:
        return self.root / "zips" / f"{hex_digest}.zip"

    def unpacked(self, hex_digest: str) -> Path:
        return self.root / "packages" / hex_digest

    def add_zip(self, data: bytes) -> Package:
        """Keep and unpack a zip archive (once per distinct content); refuse a bad one."""
        if len(data) > MAX_ZIPPED:
            raise RequestEntityTooLargeException(
                f"Zipped size must be smaller than {MAX_ZIPPED} bytes"
            )
        digest = hashlib.sha256(data)
        hex_digest = digest.hexdigest()
        package = Package(base64.b64encode(digest.digest()).decode(), len(data), "zip", hex_digest)
        if self.unpacked(hex_digest).is_dir():
            return package
        staging = self.root / "packages" / f".{uuid.uuid4().hex}"
        try:
            unpack(data, staging)
            self._write_zip(hex_digest, data)
            try:
                staging.rename(self.unpacked(hex_digest))
            except OSError:
                if not self.unpacked(hex_digest).is_dir():
                    raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return package

    def _write_zip(self, hex_digest: str, data: bytes) -> None:
        target = self.zip_path(hex_digest)
        if target.exists():
            return
        partial = target.with_name(f".{uuid.uuid4().hex}.zip")
        partial.write_bytes(data)
        partial.replace(target)

    def code_dir(self, code: dict[str, Any]) -> Path:
        """Where a recorded package's files are."""
        if code["kind"] == "dir":
            return Path(code["path"])
        return self.unpacked(code["hex"])

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def store_of(runtime: Runtime) -> CodeStore:
    """The runtime's code store, made on first use."""
    return runtime.room("lambda.code", lambda: _open(runtime))


def _open(runtime: Runtime) -> CodeStore:
    if runtime.config.in_memory:
        return CodeStore(Path(tempfile.mkdtemp(prefix="tidal-lambda-")), temporary=True)
    return CodeStore(Path(runtime.config.data_dir).resolve() / "lambda", temporary=False)


async def remove_when_stopped(runtime: Runtime) -> None:
    """A background task: wait for the server to stop, then drop a temporary code store."""
    try:
        await asyncio.Event().wait()
    finally:
        store = runtime.rooms.get("lambda.code")
        if store is not None and store.temporary:
            store.remove()


def unpack(data: bytes, target: Path) -> None:
    """Unpack a zip archive into `target` (which must not exist yet), keeping permission bits.

    Entries that would land outside `target` (absolute names, `..`, symbolic links that
    point out of the tree) and archives that unpack to more than MAX_UNZIPPED bytes are
    refused with InvalidParameterValueException.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise InvalidParameterValueException(UNZIP_FAILED) from error
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
        raise InvalidParameterValueException(
            f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes"
        )
    target.mkdir(parents=True)
    root = os.path.realpath(target)
    budget = MAX_UNZIPPED
    with archive:
        for entry in entries:
            budget -= _extract(archive, entry, root, budget)


def _extract(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, root: str, budget: int) -> int:
    """Write one entry under `root`; returns the bytes written."""
    relative = _safe_name(entry.filename)
    destination = os.path.join(root, relative)
    mode = (entry.external_attr >> 16) & 0xFFFF
    if entry.is_dir() or stat.S_ISDIR(mode):
        os.makedirs(destination, exist_ok=True)
        return 0
    parent = os.path.dirname(destination)
    os.makedirs(parent, exist_ok=True)
    if not _inside(root, os.path.realpath(parent)):
        raise InvalidParameterValueException(UNZIP_FAILED)
    if os.path.islink(destination) or os.path.isfile(destination):
        os.remove(destination)
    try:
        if stat.S_ISLNK(mode):
            link = archive.read(entry).decode()
            _check_link(root, parent, link)
            os.symlink(link, destination)
            return 0
        written = _copy(archive, entry, destination, budget)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as error:
        raise InvalidParameterValueException(UNZIP_FAILED) from error
    os.chmod(destination, (mode & 0o777) | 0o400 if mode & 0o777 else 0o644)
    return written


def _copy(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, destination: str, budget: int) -> int:
    written = 0
    with archive.open(entry) as source, open(destination, "xb") as sink:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > budget:
                raise InvalidParameterValueException(
                    f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes"
                )
            sink.write(chunk)
    return written


def _safe_name(name: str) -> str:
    """The entry's path relative to the package root; refuses names that escape it."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (parts and len(parts[0]) == 2 and parts[0][1] == ":"):
        raise InvalidParameterValueException(UNZIP_FAILED)
    kept = [part for part in parts if part not in ("", ".")]
    if not kept or ".." in kept:
        raise InvalidParameterValueException(UNZIP_FAILED)
    return os.path.join(*kept)


def _check_link(root: str, parent: str, link: str) -> None:
    if os.path.isabs(link):
        raise InvalidParameterValueException(UNZIP_FAILED)
    if not _inside(root, os.path.normpath(os.path.join(os.path.realpath(parent), link))):
        raise InvalidParameterValueException(UNZIP_FAILED)


def _inside(root: str, path: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def hot_reload(path: str) -> Package:
    """A package that is the user's own directory `path` (absolute, existing)."""
    if not os.path.isabs(os.path.expandvars(path)):
        raise InvalidParameterValueException(
            "When using hot reloading, the archive key has to be an absolute path! "
            f"Your archive key: {path}"
        )
    directory = Path(os.path.expandvars(path))
    if not directory.is_dir():
        raise InvalidParameterValueException(
            f"The hot-reload directory {path} does not exist or is not a directory."
        )
    return Package(listing_digest(directory), 0, "dir", path=str(directory))


def listing_digest(directory: Path) -> str:
    """Base64 SHA-256 of the directory's listing (paths, types, modes, sizes, mtimes)."""
    digest = hashlib.sha256()
    for current, folders, files in os.walk(directory):
        folders.sort()
        for name in sorted([*folders, *files]):
            full = os.path.join(current, name)
            info = os.lstat(full)
            relative = os.path.relpath(full, directory)
            line = f"{relative}\0{info.st_mode:o}\0{info.st_size}\0{info.st_mtime_ns}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))
    return base64.b64encode(digest.digest()).decode()


class FolderWatch:
    """The current listing digest of hot-reload folders, read again at most every `max_age`
    seconds, so edits reach the next invoke without walking a large folder on every one."""

    def __init__(self, max_age: float = 1.0) -> None:
        self.max_age = max_age
        self._seen: dict[Path, tuple[float, str]] = {}

    def digest(self, directory: Path) -> str:
        now = time.monotonic()
        seen = self._seen.get(directory)
        if seen is None or now - seen[0] > self.max_age:
            seen = self._seen[directory] = (now, listing_digest(directory))
        return seen[1]


def zip_directory(directory: Path) -> bytes:
    """The directory as a zip archive (what Code.Location serves for a hot-reload function)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for current, folders, files in os.walk(directory):
            folders.sort()
            for name in sorted(files):
                full = os.path.join(current, name)
                archive.write(full, os.path.relpath(full, directory))
    return buffer.getvalue()


def package_from(store: CodeStore, code: dict[str, Any]) -> Package:
    """The package a request's `Code` (or UpdateFunctionCode's members) names, kept in
    `store` (get it with `store_of` on the event loop: this may run on a worker thread).

    `ZipFile` arrives as base64 text; S3 sources other than the hot-reload bucket do not
    exist in Tidal, and container images are not run.
    """
    if code.get("ImageUri"):
        raise InvalidParameterValueException(
            "Tidal runs .zip file archives only: container images (ImageUri) are not supported."
        )
    if code.get("ZipFile") is not None:
        return store.add_zip(_decode(code["ZipFile"]))
    if code.get("S3Bucket") is not None:
        if code["S3Bucket"] != HOT_RELOAD_BUCKET:
            raise InvalidParameterValueException(
                "Error occurred while GetObject. S3 Error Code: NoSuchBucket. "
                "S3 Error Message: The specified bucket does not exist"
            )
        return hot_reload(code.get("S3Key", ""))
    raise InvalidParameterValueException("Please provide a source for function code.")


def _decode(blob: str | bytes) -> bytes:
    if isinstance(blob, bytes):
        return blob
    try:
        return base64.b64decode(blob, validate=True)
    except ValueError as error:
        raise InvalidParameterValueException(UNZIP_FAILED) from error
