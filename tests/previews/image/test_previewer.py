"""Image previewer: decode, fit/zoom/pan, EXIF, animation, bombs, corrupt and huge images."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.image import previewer as image_mod
from artifact_viewer.previews.image.previewer import ImagePreviewer
from tests.previews import samples


def make(qtbot):
    previewer = ImagePreviewer()
    qtbot.addWidget(previewer)
    previewer.resize(400, 300)
    previewer.show()
    qtbot.waitExposed(previewer)
    return previewer


def load_ok(qtbot, previewer, path, mime=None):
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(path, mime))
    return previewer.image_info()


def load_failing(qtbot, previewer, path) -> str:
    with qtbot.waitSignal(previewer.failed, timeout=20_000) as blocker:
        previewer.load(PreviewSource(path))
    return blocker.args[0]


def test_png_decodes_with_size_and_format(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    info = load_ok(qtbot, previewer, samples.write_png(tmp_path / "s.png", 64, 48))
    assert (info.format, info.width, info.height) == ("PNG", 64, 48)
    assert "64 × 48" in previewer.info.text()
    assert previewer.canvas.image().size().width() == 64
    previewer.canvas.viewport().grab()


def test_small_image_fits_at_one_to_one_and_large_image_shrinks(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "s.png", 20, 20))
    assert previewer.canvas.zoom() == 1.0
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "b.png", 2000, 1000))
    assert previewer.canvas.zoom() < 0.25 and previewer.canvas.is_fit()


def test_zoom_keys_buttons_and_wheel(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "b.png", 1200, 900))
    canvas = previewer.canvas
    fit = canvas.zoom()
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.zoom() == pytest.approx(fit * 1.25) and not canvas.is_fit()
    qtbot.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.zoom() == pytest.approx(fit)
    previewer.actual_button.click()
    assert canvas.zoom() == 1.0
    assert canvas.horizontalScrollBar().maximum() > 0  # now pannable
    previewer.fit_button.click()
    assert canvas.zoom() == pytest.approx(fit) and canvas.is_fit()
    _wheel(canvas, 120)
    assert canvas.zoom() == pytest.approx(fit * 1.25)
    _wheel(canvas, -240)
    assert canvas.zoom() == pytest.approx(fit / 1.25)


def _wheel(canvas, delta: int) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    center = QPointF(canvas.viewport().rect().center())
    event = QWheelEvent(
        center,
        canvas.viewport().mapToGlobal(center),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), event)


def test_drag_pans_when_zoomed_in(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "b.png", 1200, 900))
    canvas = previewer.canvas
    canvas.actual_size()
    bar = canvas.horizontalScrollBar()
    start = bar.value()
    qtbot.mousePress(canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(200, 100))
    qtbot.mouseMove(canvas.viewport(), QPoint(150, 100))
    qtbot.mouseRelease(canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(150, 100))
    assert bar.value() == start + 50


def test_jpeg_exif_is_shown(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    info = load_ok(qtbot, previewer, samples.write_jpeg_with_exif(tmp_path / "s.jpg"))
    assert ("Make", "AnonCam") in info.exif
    assert "AnonCam" in previewer.info.text()


def test_animated_gif_plays(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    info = load_ok(qtbot, previewer, samples.write_animated_gif(tmp_path / "a.gif", 3))
    assert info.animated and info.frames == 3
    movie = previewer.movie()
    seen = set()
    movie.frameChanged.connect(seen.add)
    qtbot.waitUntil(lambda: len(seen) >= 2, timeout=5000)
    previewer.play_button.click()
    assert previewer.play_button.text() == "Play"
    previewer.cancel()


def test_png_labelled_as_csv_still_decodes(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    info = load_ok(qtbot, previewer, samples.write_png(tmp_path / "x.csv"), "text/csv")
    assert info.format == "PNG"


def test_decompression_bomb_is_refused_before_decoding(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    message = load_failing(qtbot, previewer, samples.write_bomb_png(tmp_path / "bomb.png"))
    assert "100,000 × 100,000" in message and "megapixel limit" in message


def test_corrupt_png_fails_with_a_message(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    message = load_failing(qtbot, previewer, samples.write_corrupt_png(tmp_path / "bad.png"))
    assert "Damaged image: the data is corrupt or truncated" in message


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n"])
def test_empty_or_non_image_bytes_fail_cleanly(qtbot, tmp_path, content) -> None:
    path = tmp_path / "x.png"
    path.write_bytes(content)
    previewer = make(qtbot)
    message = load_failing(qtbot, previewer, path)
    assert message


def test_jpeg_over_the_allocation_cap_is_decoded_downscaled(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(image_mod, "ALLOCATION_CAP_MB", 1)  # 1000x1000 RGBA needs ~4 MiB
    previewer = make(qtbot)
    info = load_ok(qtbot, previewer, samples.write_jpeg_with_exif(tmp_path / "big.jpg", 1000, 1000))
    assert info.width == 1000
    assert 0 < info.decoded.width() < 1000
    assert any("downscaled" in note for note in info.notes)


def test_png_over_the_allocation_cap_is_refused_with_the_numbers(
    qtbot, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(image_mod, "ALLOCATION_CAP_MB", 1)
    previewer = make(qtbot)
    message = load_failing(qtbot, previewer, samples.write_png(tmp_path / "big.png", 1000, 1000))
    assert "1,000 × 1,000" in message and "MiB" in message


def test_decode_plan_raises_qt_limit_for_8k_screenshots_and_scales_beyond_cap() -> None:
    """Qt's default limit is 256 MB; an 8k x 8k RGBA image needs exactly that: raise it."""
    limit, scaled = image_mod.plan_decode(8000, 8000, can_scale=False)
    assert limit * 2**20 >= 8000 * 8000 * 4 and limit > 256 and scaled is None
    limit, scaled = image_mod.plan_decode(20_000, 20_000, can_scale=True)
    assert limit == image_mod.ALLOCATION_CAP_MB
    assert scaled[0] * scaled[1] * 4 <= image_mod.ALLOCATION_CAP_MB * 2**20
    with pytest.raises(image_mod.PreviewError):
        image_mod.plan_decode(20_000, 20_000, can_scale=False)


def test_huge_image_gets_a_low_zoom_copy(qtbot, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(image_mod, "PREVIEW_SIDE", 256)
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "big.png", 3000, 2000))
    preview = previewer.canvas._preview
    assert preview is not None and (preview.width(), preview.height()) == (256, 171)
    # Made strip by strip: no seams or gaps, every row carries the image colour.
    for y in (0, 1, 85, 169, 170):
        assert preview.pixelColor(128, y).getRgb()[:3] == (200, 30, 30)
    previewer.canvas.viewport().grab()


def test_wheel_zoom_keeps_the_point_under_the_cursor(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "b.png", 1600, 1200))
    canvas = previewer.canvas
    canvas.actual_size()
    canvas.horizontalScrollBar().setValue(300)
    canvas.verticalScrollBar().setValue(200)
    from PySide6.QtCore import QPointF

    cursor = QPointF(100, 80)
    before = (cursor - canvas._origin()) / canvas.zoom()
    canvas._set_zoom(2.0, cursor)
    after = (cursor - canvas._origin()) / canvas.zoom()
    assert abs(after.x() - before.x()) < 1 and abs(after.y() - before.y()) < 1


def test_canvas_announces_the_first_paint_of_each_new_image(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "a.png", 64, 48))
    canvas = previewer.canvas
    canvas.viewport().repaint()  # the loaded image's own first paint
    seen: list[int] = []
    canvas.painted.connect(lambda: seen.append(1))
    canvas.viewport().repaint()
    assert seen == []  # a repaint of the same image is not news
    canvas.set_image(previewer.canvas.image().copy())
    canvas.viewport().repaint()
    canvas.viewport().repaint()
    assert seen == [1]


class _Partials:
    def __init__(self) -> None:
        self.sent: list[object] = []

    def __call__(self, done: int, total: int = 0) -> None:
        pass

    def partial(self, obj: object) -> None:
        self.sent.append(obj)


def test_low_zoom_copy_waits_until_the_image_is_on_screen(qtbot, tmp_path, monkeypatch) -> None:
    import threading

    from artifact_viewer.core.cancel import CancelToken

    monkeypatch.setattr(image_mod, "PREVIEW_SIDE", 64)
    monkeypatch.setattr(image_mod, "FIRST_PAINT_WAIT_S", 600.0)
    path = samples.write_png(tmp_path / "big.png", 400, 200)
    shown, progress, out = threading.Event(), _Partials(), []
    worker = threading.Thread(
        target=lambda: out.append(image_mod.decode_image(path, progress, CancelToken(), shown))
    )
    worker.start()
    qtbot.waitUntil(lambda: len(progress.sent) == 1)
    worker.join(0.3)
    assert worker.is_alive() and not out  # full image handed over, copy held back
    shown.set()
    worker.join(10)
    assert out and out[0].width() == 64


def test_waiting_for_the_first_paint_stops_on_cancel(qtbot, tmp_path, monkeypatch) -> None:
    import threading

    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.core.errors import Cancelled

    monkeypatch.setattr(image_mod, "PREVIEW_SIDE", 64)
    monkeypatch.setattr(image_mod, "FIRST_PAINT_WAIT_S", 600.0)
    path = samples.write_png(tmp_path / "big.png", 400, 200)
    token, progress, raised = CancelToken(), _Partials(), []

    def run() -> None:
        try:
            image_mod.decode_image(path, progress, token, threading.Event())
        except Cancelled as exc:
            raised.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    qtbot.waitUntil(lambda: len(progress.sent) == 1)
    token.cancel()
    worker.join(10)
    assert not worker.is_alive() and raised


@pytest.mark.parametrize("shown", [True, False], ids=["on-screen", "hidden"])
def test_low_zoom_copy_arrives_whether_or_not_the_preview_is_shown(
    qtbot, tmp_path, monkeypatch, shown
) -> None:
    monkeypatch.setattr(image_mod, "PREVIEW_SIDE", 64)
    monkeypatch.setattr(image_mod, "FIRST_PAINT_WAIT_S", 600.0)  # only a paint (or hiding) frees it
    if shown:
        previewer = make(qtbot)
    else:
        previewer = ImagePreviewer()
        qtbot.addWidget(previewer)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "big.png", 400, 200))
    assert previewer.canvas._preview is not None and previewer.canvas._preview.width() == 64


def test_structure_check_runs_beside_the_decode(qtbot, tmp_path, monkeypatch) -> None:
    import threading

    from PySide6.QtGui import QImageReader

    decoding = threading.Event()
    overlapped: list[bool] = []

    class Reader(QImageReader):
        def read(self):  # type: ignore[override]
            decoding.set()
            return super().read()

    def check(path):
        overlapped.append(decoding.wait(10))  # sequential code would wait in vain
        return []

    monkeypatch.setattr(image_mod, "QImageReader", Reader)
    monkeypatch.setattr(image_mod, "_check_with_pillow", check)
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "s.png", 64, 48))
    assert overlapped == [True]


def test_structure_check_verdict_wins_over_a_successful_decode(qtbot, tmp_path, monkeypatch):
    from artifact_viewer.core.errors import PreviewError

    def check(path):
        raise PreviewError("The image data is corrupt or truncated (bad chunk).")

    monkeypatch.setattr(image_mod, "_check_with_pillow", check)
    previewer = make(qtbot)
    message = load_failing(qtbot, previewer, samples.write_png(tmp_path / "s.png", 64, 48))
    assert "bad chunk" in message
    assert previewer.canvas.image().isNull()  # nothing of the damaged file was shown


def test_a_box_asked_for_while_decoding_is_outlined_and_centred(qtbot, tmp_path) -> None:
    previewer = make(qtbot)
    path = samples.write_png(tmp_path / "b.png", 3000, 2000)
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(path))
        assert previewer.show_box([2500, 1700, 120, 40])  # before the image is there
    canvas = previewer.canvas
    (mark,) = canvas.marks()
    assert (mark.x(), mark.y(), mark.width(), mark.height()) == (2500, 1700, 120, 40)
    canvas.actual_size()
    canvas.center_on(mark)
    shown = canvas.mark_rect_in_view(mark)
    assert canvas.viewport().rect().contains(shown.center().toPoint())
    assert not previewer.show_box([1, 2, 0, 5])  # an empty box is not one
    previewer.load(PreviewSource(samples.write_png(tmp_path / "s.png", 20, 20)))
    qtbot.waitUntil(lambda: previewer.image_info() is not None, timeout=20_000)
    assert canvas.marks() == []  # a new image has none


class _RecordingImage:
    """Wraps a QImage, recording the size of every strip ``downscale`` copies out of it."""

    def __init__(self, image) -> None:
        self._image = image
        self.strips: list[tuple[int, int]] = []

    def width(self) -> int:
        return self._image.width()

    def height(self) -> int:
        return self._image.height()

    def copy(self, x: int, y: int, w: int, h: int):
        self.strips.append((w, h))
        return self._image.copy(x, y, w, h)


def _gradient(width: int, height: int, fmt):
    from PySide6.QtGui import QColor, QImage

    image = QImage(width, height, QImage.Format.Format_RGB32)
    for y in range(height):
        for x in range(0, width, 4):
            image.setPixelColor(x, y, QColor((x * 255) // width, (y * 255) // height, 90))
            for dx in range(1, 4):
                if x + dx < width:
                    image.setPixelColor(x + dx, y, image.pixelColor(x, y))
    return image.convertToFormat(fmt)


@pytest.mark.parametrize("fmt_name", ["Format_Indexed8", "Format_ARGB32"])
def test_low_zoom_copy_is_scaled_in_small_strips_and_matches_a_whole_scale(
    monkeypatch, fmt_name
) -> None:
    from PySide6.QtGui import QImage

    from artifact_viewer.core.cancel import CancelToken

    # Each strip's scaling holds the GIL (the GUI thread waits for it): small strips only.
    monkeypatch.setattr(image_mod, "STRIP_PIXELS", 400 * 25)
    source = _gradient(400, 300, getattr(QImage.Format, fmt_name))
    recording = _RecordingImage(source)
    out = image_mod.downscale(recording, 100, CancelToken())  # type: ignore[arg-type]
    assert (out.width(), out.height()) == (100, 75)
    assert len(recording.strips) == 12
    assert all(w * h <= 400 * 25 for w, h in recording.strips)
    assert sum(h for _, h in recording.strips) == 300  # every source row, once
    whole = source.scaled(
        100, 75, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    for y in range(75):
        for x in range(0, 100, 7):
            a, b = out.pixelColor(x, y), whole.pixelColor(x, y)
            assert abs(a.red() - b.red()) <= 8 and abs(a.green() - b.green()) <= 8, (x, y)
            assert a.alpha() == 255


def test_pillow_format_plugins_load_with_the_module_not_on_first_open() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import artifact_viewer.previews.image.previewer; "
        "print(all(f'PIL.{n}ImagePlugin' in sys.modules for n in ('Png', 'Jpeg', 'Gif')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "True"


def test_release_hands_the_decoded_image_and_its_copy_to_the_pool(
    qtbot, tmp_path, monkeypatch
) -> None:
    import threading

    monkeypatch.setattr(image_mod, "PREVIEW_SIDE", 64)
    previewer = make(qtbot)
    load_ok(qtbot, previewer, samples.write_png(tmp_path / "big.png", 400, 200))
    seen: list[tuple[str, list[tuple[int, int]]]] = []
    let_go = image_mod._let_go

    def recording(held, progress, cancel) -> None:
        sizes = [(i.width(), i.height()) for i in held if i is not None]
        seen.append((threading.current_thread().name, sizes))
        let_go(held, progress, cancel)

    monkeypatch.setattr(image_mod, "_let_go", recording)
    previewer.release()
    assert previewer.canvas.image().isNull() and previewer.canvas.preview() is None
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    thread, sizes = seen[0]
    assert thread != threading.main_thread().name
    assert sizes == [(400, 200), (64, 32)]
