"""Code packages: safe unpacking, size limits, sharing, hot-reload directories."""

from __future__ import annotations

import io
import os
import stat
import zipfile

import pytest

from tidal.awslambda import code
from tidal.awslambda.code import CodeStore, hot_reload, listing_digest, unpack
from tidal.awslambda.errors import (
    InvalidParameterValueException,
    RequestEntityTooLargeException,
)


def archive(entries: list[tuple[str, bytes, int | None]]) -> bytes:
    """A zip of (name, content, Unix mode) entries; no mode = an archive made on Windows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0x20 if mode is None else mode << 16
            target.writestr(info, content)
    return buffer.getvalue()


def refused(data: bytes, tmp_path) -> str:
    with pytest.raises(InvalidParameterValueException) as raised:
        unpack(data, tmp_path / "package")
    return raised.value.message


def test_files_directories_modes_and_inner_links(tmp_path):
    data = archive(
        [
            ("bootstrap", b"#!/bin/sh\n", 0o100755),
            ("lib/", b"", 0o40755),
            ("lib/data.txt", b"data", 0o100600),
            ("plain.txt", b"no mode", None),
            ("alias.txt", b"lib/data.txt", 0o120777),
        ]
    )
    unpack(data, tmp_path / "package")
    root = tmp_path / "package"
    assert stat.S_IMODE(os.stat(root / "bootstrap").st_mode) == 0o755
    assert stat.S_IMODE(os.stat(root / "lib" / "data.txt").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root / "plain.txt").st_mode) == 0o644
    assert os.readlink(root / "alias.txt") == "lib/data.txt"
    assert (root / "alias.txt").read_text() == "data"


@pytest.mark.parametrize(
    "name", ["../up.txt", "a/../../up.txt", "/abs.txt", "\\abs.txt", "C:/abs.txt", "..", "./"]
)
def test_names_that_leave_the_package_are_refused(tmp_path, name):
    assert refused(archive([(name, b"x", None)]), tmp_path) == code.UNZIP_FAILED
    assert not (tmp_path / "up.txt").exists()


@pytest.mark.parametrize("target", ["../outside", "/etc/passwd", "a/../../outside"])
def test_links_that_leave_the_package_are_refused(tmp_path, target):
    assert refused(archive([("link", target.encode(), 0o120777)]), tmp_path) == code.UNZIP_FAILED


def test_writing_through_an_inner_link_stays_inside(tmp_path):
    data = archive([("sub/", b"", 0o40755), ("inner", b"sub", 0o120777), ("inner/f", b"x", None)])
    unpack(data, tmp_path / "package")
    assert (tmp_path / "package" / "sub" / "f").read_text() == "x"


def test_not_a_zip(tmp_path):
    assert refused(b"PK\x03\x04 but not really", tmp_path) == code.UNZIP_FAILED


def test_declared_sizes_over_the_unzipped_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(code, "MAX_UNZIPPED", 10)
    message = refused(archive([("a", b"123456", None), ("b", b"123456", None)]), tmp_path)
    assert message == "Unzipped size must be smaller than 10 bytes"


def test_the_store_keeps_one_unpacked_tree_per_content(tmp_path):
    store = CodeStore(tmp_path / "lambda", temporary=False)
    data = archive([("handler.py", b"x = 1\n", None)])
    first, second = store.add_zip(data), store.add_zip(data)
    assert first == second
    assert (store.unpacked(first.hex) / "handler.py").read_text() == "x = 1\n"
    assert store.zip_path(first.hex).read_bytes() == data
    assert len(list((tmp_path / "lambda" / "packages").iterdir())) == 1


def test_a_refused_zip_leaves_nothing_behind(tmp_path):
    store = CodeStore(tmp_path / "lambda", temporary=False)
    with pytest.raises(InvalidParameterValueException):
        store.add_zip(archive([("ok.txt", b"x", None), ("../bad.txt", b"x", None)]))
    assert list((tmp_path / "lambda" / "packages").iterdir()) == []
    assert list((tmp_path / "lambda" / "zips").iterdir()) == []


def test_the_zipped_limit(tmp_path):
    store = CodeStore(tmp_path / "lambda", temporary=False)
    with pytest.raises(RequestEntityTooLargeException) as raised:
        store.add_zip(bytes(code.MAX_ZIPPED + 1))
    assert raised.value.message == "Zipped size must be smaller than 52428800 bytes"


def test_a_hot_reload_digest_follows_the_directory(tmp_path):
    (tmp_path / "handler.py").write_text("x = 1\n")
    package = hot_reload(str(tmp_path))
    assert (package.kind, package.path, package.size) == ("dir", str(tmp_path), 0)
    assert listing_digest(tmp_path) == package.sha256
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "helper.py").write_text("y = 2\n")
    assert listing_digest(tmp_path) != package.sha256


def test_a_hot_reload_path_must_be_an_absolute_directory(tmp_path):
    with pytest.raises(InvalidParameterValueException) as raised:
        hot_reload("relative/dir")
    assert raised.value.message == (
        "When using hot reloading, the archive key has to be an absolute path! "
        "Your archive key: relative/dir"
    )
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidParameterValueException):
        hot_reload(str(tmp_path / "file"))


def test_a_directory_zips_back(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("b")
    (tmp_path / "c.txt").write_text("c")
    with zipfile.ZipFile(io.BytesIO(code.zip_directory(tmp_path))) as zipped:
        assert sorted(zipped.namelist()) == ["a/b.txt", "c.txt"]
