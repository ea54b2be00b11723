"""Which previewers can show a file, best first, and how to build one for a kind."""

from __future__ import annotations

import importlib
import logging
from functools import cache

from artifact_viewer.core import sniff as sn
from artifact_viewer.previews.base import Previewer, PreviewSource

log = logging.getLogger(__name__)

# kind -> "module:Class". Imported on first use, so a previewer that is missing or broken
# only removes its own kind instead of breaking every preview.
_CLASSES: dict[str, str] = {
    sn.JSON: "artifact_viewer.previews.json.previewer:JsonPreviewer",
    sn.TABLE: "artifact_viewer.previews.table.previewer:TablePreviewer",
    sn.PDF: "artifact_viewer.previews.pdf.previewer:PdfPreviewer",
    sn.IMAGE: "artifact_viewer.previews.image.previewer:ImagePreviewer",
    sn.XML: "artifact_viewer.previews.xml.previewer:XmlPreviewer",
    sn.LOG: "artifact_viewer.previews.text.previewer:LogPreviewer",
    sn.TEXT: "artifact_viewer.previews.text.previewer:TextPreviewer",
    sn.HEX: "artifact_viewer.previews.hex.previewer:HexPreviewer",
}

# Shown in the view switcher when a class does not set its own title.
_TITLES: dict[str, str] = {
    sn.JSON: "Tree",
    sn.TABLE: "Table",
    sn.PDF: "PDF",
    sn.IMAGE: "Image",
    sn.XML: "XML",
    sn.LOG: "Log",
    sn.TEXT: "Raw text",
    sn.HEX: "Hex",
}


@cache
def previewer_class(kind: str) -> type[Previewer] | None:
    """The class for ``kind``, or None when it is unknown or cannot be imported."""
    target = _CLASSES.get(kind)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        log.info("preview kind %r unavailable: %s", kind, exc)
        return None
    if not (isinstance(cls, type) and issubclass(cls, Previewer)):
        log.warning("preview kind %r: %s is not a Previewer", kind, target)
        return None
    return cls


def available(kind: str) -> bool:
    return previewer_class(kind) is not None


def title(kind: str) -> str:
    cls = previewer_class(kind)
    if cls is not None and cls.title != Previewer.title:
        return cls.title
    return _TITLES.get(kind, kind.title())


def known_kinds() -> list[str]:
    return list(_CLASSES)


def order_kinds(sniffed: sn.Sniffed) -> list[str]:
    """Candidate kinds for a sniffed file, best first, raw text and hex always last."""
    wanted: list[str | None] = [sniffed.kind]
    if not sniffed.magic_wins:
        wanted += [sniffed.content_kind, sniffed.label_kind, sniffed.ext_kind]
    if sniffed.kind == sn.LOG or sniffed.content_kind == sn.LOG:
        wanted.append(sn.LOG)
    # Raw text makes sense for anything not identified as a binary format by its magic.
    if not (sniffed.magic_wins and sniffed.kind in (sn.IMAGE, sn.PDF, sn.HEX)):
        wanted.append(sn.TEXT)
    wanted.append(sn.HEX)
    kinds: list[str] = []
    for kind in wanted:
        if kind and kind not in kinds and available(kind):
            kinds.append(kind)
    return kinds


def choose(source: PreviewSource) -> list[str]:
    """Kinds that can show ``source``, best first (reads the file head: call off the GUI thread
    for slow disks, or pass a sniffed result to :func:`order_kinds`)."""
    return order_kinds(sn.sniff(source.path, source.mime, source.name))


def create(kind: str) -> Previewer:
    """A new, unparented previewer widget for ``kind``."""
    cls = previewer_class(kind)
    if cls is None:
        raise KeyError(f"no previewer for {kind!r}")
    return cls()
