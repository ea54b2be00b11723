"""Checks on a bundle's zip entries before a byte is extracted: paths, types, sizes, ratios."""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Sequence

from artifact_viewer.core.bundle.manifest import MANIFEST_NAME, MAX_MANIFEST_BYTES, FileEntry
from artifact_viewer.core.errors import BundleError

MAX_ENTRIES = 100_000
# Deflate tops out near 1000:1 on repeated bytes; real artifacts (logs, CSV, JSON) stay far
# below 100:1. Small entries are exempt: a 1000:1 ratio on a few kilobytes harms nobody.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_SUPPORTED_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _refuse(message: str) -> BundleError:
    return BundleError(f"Not imported: {message}.")


def entry_problem(name: str) -> str | None:
    """Why a path inside the bundle is unsafe (None when it is fine)."""
    if "\x00" in name:
        return "has a NUL character in its name"
    if name.startswith(("/", "\\")):
        return "is an absolute path"
    if _DRIVE_RE.match(name):
        return "starts with a drive letter"
    if "\\" in name:
        return "uses backslashes in its path"
    if ".." in name.split("/"):
        return "points outside the bundle (..)"
    if any(part in ("", ".") for part in name.rstrip("/").split("/")):
        return "has an empty or '.' part in its path"
    return None


def check_entries(infos: Sequence[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """The bundle's file entries by name, after refusing anything unsafe or ambiguous."""
    if len(infos) > MAX_ENTRIES:
        raise _refuse(f"the bundle has {len(infos)} entries (at most {MAX_ENTRIES} are read)")
    files: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    for info in infos:
        name = info.orig_filename
        problem = entry_problem(name)
        if problem:
            raise _refuse(f"the entry {name!r} {problem}")
        mode = info.external_attr >> 16
        kind = stat.S_IFMT(mode)
        if stat.S_ISLNK(mode):
            raise _refuse(f"the entry {name!r} is a symbolic link")
        if kind and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            raise _refuse(f"the entry {name!r} is not a regular file")
        key = name.rstrip("/")
        if key in seen:
            raise _refuse(f"the bundle has two entries for {key}")
        seen.add(key)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise _refuse(f"{name} is encrypted")
        if info.compress_type not in _SUPPORTED_METHODS:
            raise _refuse(f"{name} uses a compression method this app does not read")
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > info.compress_size * MAX_RATIO:
            ratio = info.file_size // max(info.compress_size, 1)
            raise _refuse(f"{name} would expand {ratio}:1 (over {MAX_RATIO}:1 marks a zip bomb)")
        files[name] = info
    manifest = files.get(MANIFEST_NAME)
    if manifest is None:
        raise _refuse("the zip has no manifest.json at its root; it is not a bundle")
    if manifest.file_size > MAX_MANIFEST_BYTES:
        raise _refuse("its manifest.json is too large to be a bundle's")
    return files


def match_manifest(files: dict[str, zipfile.ZipInfo], entries: Sequence[FileEntry]) -> None:
    """Every manifest file is in the zip with the size it declares; every zip file is listed."""
    listed = {e.path for e in entries}
    for entry in entries:
        problem = entry_problem(entry.path)
        if problem:
            raise _refuse(f"the manifest's path {entry.path!r} {problem}")
        info = files.get(entry.path)
        if info is None:
            raise _refuse(f"the manifest lists {entry.path} but the bundle has no such file")
        if info.file_size != entry.size:
            raise _refuse(
                f"{entry.path} is declared as {entry.size} bytes in the manifest but the zip"
                f" holds {info.file_size}"
            )
    for name in files:
        if name != MANIFEST_NAME and name not in listed:
            raise _refuse(f"{name} is in the bundle but not in its manifest")
