"""Registry: kinds in order of fit, raw text/hex always offered, missing previewers skipped."""

from __future__ import annotations

from artifact_viewer.core import sniff as sn
from artifact_viewer.previews import registry
from artifact_viewer.previews.base import Previewer, PreviewSource
from tests.previews import samples


def test_every_available_kind_builds_a_previewer_with_its_kind(qtbot) -> None:
    for kind in registry.known_kinds():
        if not registry.available(kind):
            continue
        previewer = registry.create(kind)
        qtbot.addWidget(previewer)
        assert isinstance(previewer, Previewer) and previewer.kind == kind
        assert registry.title(kind)


def test_log_offers_log_then_raw_text_then_hex(tmp_path) -> None:
    kinds = registry.choose(PreviewSource(samples.write_log(tmp_path / "a.log", 20)))
    assert kinds == ["log", "text", "hex"]


def test_png_with_csv_label_offers_image_and_hex_only(tmp_path) -> None:
    kinds = registry.choose(PreviewSource(samples.write_png(tmp_path / "x.csv"), "text/csv"))
    assert kinds == ["image", "hex"]


def test_xml_labelled_json_offers_both(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(registry, "available", lambda kind: True)
    kinds = registry.choose(
        PreviewSource(samples.write_xml(tmp_path / "x.json"), "application/json")
    )
    assert kinds[:2] == ["json", "xml"] and kinds[-2:] == ["text", "hex"]


def test_missing_previewer_module_is_skipped(monkeypatch) -> None:
    monkeypatch.setitem(registry._CLASSES, "pdf", "artifact_viewer.previews.no_such_module:Nope")
    registry.previewer_class.cache_clear()
    try:
        assert registry.previewer_class("pdf") is None
        sniffed = sn.sniff_bytes(samples.pdf_bytes(1), "application/pdf", "a.pdf")
        assert registry.order_kinds(sniffed) == ["hex"]
    finally:
        registry.previewer_class.cache_clear()


def test_non_previewer_class_is_rejected(monkeypatch) -> None:
    monkeypatch.setitem(registry._CLASSES, "pdf", "pathlib:Path")
    registry.previewer_class.cache_clear()
    try:
        assert registry.previewer_class("pdf") is None
    finally:
        registry.previewer_class.cache_clear()


def test_unknown_kind() -> None:
    assert registry.previewer_class("nope") is None
    assert registry.title("nope") == "Nope"
