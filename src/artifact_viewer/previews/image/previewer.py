"""Image previewer: decodes in the background, refuses bombs, plays animations, shows EXIF."""

from __future__ import annotations

import math
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PIL import ExifTags, UnidentifiedImageError
from PIL import Image as PilImage
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QImage, QImageIOHandler, QImageReader, QMovie, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.core.masking import Masker
from artifact_viewer.core.masking.boxes import ImageBoxes, MaskingError, image_boxes
from artifact_viewer.previews.base import Previewer, PreviewSource
from artifact_viewer.previews.fmt import human_size
from artifact_viewer.previews.image.canvas import ImageCanvas
from artifact_viewer.previews.image.partial import Truncation, decode_truncated, truncation
from artifact_viewer.previews.onscreen import paint_coming
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

# Pillow imports its format plugins on its first open(): 0.05-0.1 s holding the GIL, on
# the structure check's thread during the first image's decode (the GUI thread waits for
# the GIL meanwhile). Done here instead, where this module is imported: on the pool, by
# the app's warm-up ahead of the first click.
PilImage.preinit()

# More pixels than this is refused before decoding: no artifact screenshot is that big,
# but a 1 KB file claiming 100k x 100k pixels would ask for 40 GB.
MAX_PIXELS = 500_000_000
# Qt refuses to allocate more than 256 MB per image by default; we allow up to this
# much on purpose (an 8k x 8k RGBA screenshot is 256 MiB) and decode bigger ones downscaled.
ALLOCATION_CAP_MB = 1024
# Images whose longer side exceeds this get a smooth downscaled copy for low zoom levels.
PREVIEW_SIDE = 2048
# The low-zoom copy is scaled this many source pixels at a time: each QImage call holds the
# GIL throughout (an 8k palette PNG scales at ~0.1-0.2 s per 8 megapixels), and a GUI
# thread waiting for the GIL is a frozen window.
STRIP_PIXELS = 500_000
# The low-zoom copy waits (at most this long) until the full image has been painted once:
# made at the same time, its copying and scaling would slow that first paint down.
FIRST_PAINT_WAIT_S = 2.0
# Animations are played by QMovie on the GUI thread; only for reasonably small files.
MAX_ANIMATION_BYTES = 64 * 2**20
_EXIF_SHOWN = 8


@dataclass
class ImageInfo:
    """What we know about the image; ``notes`` are warnings shown next to it."""

    format: str
    width: int
    height: int
    file_size: int
    frames: int = 1
    animated: bool = False
    depth: int = 0
    exif: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    decoded: QSize = field(default_factory=QSize)
    #: the banner for a truncated file shown in part ("" when whole)
    truncated: str = ""


def _verify_with_pillow(path: Path) -> None:
    """Check structure and checksums (catches truncated/corrupt PNGs before Qt decodes them)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PilImage.DecompressionBombWarning)
            with PilImage.open(path) as image:
                image.verify()
    except PilImage.DecompressionBombError:
        return  # our own pixel limit has already been applied; Pillow's is stricter
    except UnidentifiedImageError:
        return  # a format Pillow does not know; Qt may still read it
    except Exception as exc:  # Pillow raises many types on damaged data (IndexError, ...)
        raise PreviewError(
            f"Damaged image: the data is corrupt or truncated ({_reason(exc)})."
        ) from exc


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] if text else type(exc).__name__


def _check_with_pillow(path: Path) -> list[tuple[str, str]]:
    """Raise PreviewError for corrupt or truncated data; else the EXIF tags."""
    _verify_with_pillow(path)
    return _exif(path)


def _exif(path: Path) -> list[tuple[str, str]]:
    """EXIF tags from the file header (never decodes pixels)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with PilImage.open(path) as image:
                if image.format == "PNG":
                    # Pillow's getexif() on a PNG decodes the whole image to look for a
                    # late eXIf chunk; only use one that came before the pixel data.
                    raw = image.info.get("exif")
                    if not raw:
                        return []
                    exif = PilImage.Exif()
                    exif.load(raw)
                else:
                    exif = image.getexif()
    except Exception:  # EXIF is a nicety: unreadable EXIF must not block the image
        return []
    out = []
    for tag, value in exif.items():
        name = ExifTags.TAGS.get(tag, f"Tag {tag:#06x}")
        text = value.decode("latin-1", "replace") if isinstance(value, bytes) else str(value)
        out.append((name, text[:80]))
    return out


def downscale(image: QImage, side: int, cancel: CancelToken) -> QImage:
    """Smoothly scaled copy whose longer side is ``side``, made strip by strip.

    QImage.scaled (like QImage.copy and QPainter) holds the GIL for the whole call, and the
    GUI thread needs the GIL for every slot and paint handler: each call here handles
    :data:`STRIP_PIXELS` source pixels only (a few milliseconds), so the window never waits
    long for it, and a cancel takes effect as soon.
    """
    width, height = image.width(), image.height()
    scale = side / max(width, height)
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    out = QImage(out_w, out_h, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    rows = max(1, STRIP_PIXELS // width)
    painter = QPainter(out)
    try:
        for y in range(0, height, rows):
            cancel.raise_if_cancelled()
            top, bottom = round(y * scale), round(min(height, y + rows) * scale)
            if bottom <= top:
                continue
            strip = image.copy(0, y, width, min(rows, height - y)).scaled(
                out_w,
                bottom - top,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            painter.drawImage(0, top, strip)
    finally:
        painter.end()
    return out


def plan_decode(width: int, height: int, can_scale: bool) -> tuple[int, tuple[int, int] | None]:
    """Allocation limit (MiB) to set on the reader, and the size to decode at if not full.

    Raises :class:`PreviewError` when the image is too big and the decoder cannot scale.
    """
    needed_mb = math.ceil(width * height * 4 / 2**20)
    if needed_mb <= ALLOCATION_CAP_MB:
        return max(256, needed_mb + 16), None
    if can_scale:
        # The decoder scales while decoding (JPEG): the full image never exists in memory.
        scale = math.sqrt(ALLOCATION_CAP_MB * 2**20 * 0.9 / (width * height * 4))
        return ALLOCATION_CAP_MB, (max(1, int(width * scale)), max(1, int(height * scale)))
    raise PreviewError(
        f"The image is {width:,} × {height:,} pixels and would need {needed_mb:,} MiB "
        f"of memory to decode, more than the {ALLOCATION_CAP_MB:,} MiB allowed.",
        hint="Open it externally with an image editor.",
    )


def decode_image(
    path: Path, progress: Progress, cancel: CancelToken, shown: threading.Event | None = None
) -> QImage | None:
    """Worker: check the header, decode, hand the image over, then make the low-zoom copy.

    The copy is made once ``shown`` is set (the image is on screen), or after a while.
    """
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # honour EXIF orientation
    if not reader.canRead():
        raise PreviewError(f"Not a readable image: {reader.errorString()}.")
    fmt = bytes(reader.format().data()).decode("ascii", "replace").upper() or "image"
    size = reader.size()
    width, height = size.width(), size.height()
    info = ImageInfo(fmt, width, height, path.stat().st_size)
    if width > 0 and height > 0 and width * height > MAX_PIXELS:
        raise PreviewError(
            f"The image claims {width:,} × {height:,} pixels ({width * height / 1e6:,.0f} "
            f"megapixels), above the {MAX_PIXELS // 1_000_000} megapixel limit, so it was "
            "not decoded (it may be a decompression bomb).",
            hint="Open it externally only if you trust the file.",
        )
    cut = truncation(path, fmt)
    if cut is not None and width > 0 and height > 0:
        return _show_truncated(path, info, cut, progress)
    # Pillow checks the structure (and reads EXIF) on a side thread while Qt decodes:
    # the decode releases the GIL, and Pillow's first use alone costs tens of ms.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="image-check") as side:
        checked = side.submit(_check_with_pillow, path)
        if width > 0 and height > 0:
            can_scale = reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize)
            limit_mb, scaled = plan_decode(width, height, can_scale)
            reader.setAllocationLimit(limit_mb)
            if scaled is not None:
                reader.setScaledSize(QSize(*scaled))
                info.notes.append(
                    f"shown downscaled to {scaled[0] / width:.0%} (too large to decode in full)"
                )
        info.frames = max(1, reader.imageCount())
        info.animated = reader.supportsAnimation() and info.frames > 1
        cancel.raise_if_cancelled()
        image = reader.read()
        info.exif = checked.result()  # Pillow's verdict on corrupt data comes first
    cancel.raise_if_cancelled()
    if image.isNull():
        # The header was readable (canRead passed), so the pixel data is what is broken.
        raise PreviewError(
            f"Damaged image: the data is corrupt or truncated ({reader.errorString()})."
        )
    info.depth = image.depth()
    info.decoded = image.size()
    progress.partial((image, info))
    cancel.raise_if_cancelled()
    if max(image.width(), image.height()) > PREVIEW_SIDE:
        if shown is not None:
            _wait_for(shown, cancel, FIRST_PAINT_WAIT_S)
        return downscale(image, PREVIEW_SIDE, cancel)
    return None


def _let_go(held: list[object], _progress: object, _cancel: object) -> None:
    """Worker: drop the last references to images the view no longer shows."""
    held.clear()


def _ignore(_outcome: object) -> None:
    """Nothing to report: the images were let go."""


MASK_COLOR = QColor(20, 20, 20)
_PAINTABLE = frozenset(
    {
        QImage.Format.Format_RGB32,
        QImage.Format.Format_ARGB32,
        QImage.Format.Format_ARGB32_Premultiplied,
        QImage.Format.Format_RGB888,
        QImage.Format.Format_RGBA8888,
    }
)


def paint_boxes(image: QImage, found: ImageBoxes | None, source_width: int) -> QImage:
    """``image`` with the boxes filled in (scaled from the stored image's ``source_width``
    to the decoded one); all of it filled when ``found`` is None (the text was not read)."""
    if image.format() not in _PAINTABLE:
        image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    try:
        if found is None:
            painter.fillRect(image.rect(), MASK_COLOR)
        else:
            factor = image.width() / source_width if source_width > 0 else 1.0
            for box in found.boxes:
                b = box.scaled(factor)
                painter.fillRect(round(b.x), round(b.y), round(b.w) + 1, round(b.h) + 1, MASK_COLOR)
    finally:
        painter.end()
    return image


class _MaskingProgress:
    """Passes progress on, painting the boxes into the image before it leaves the worker."""

    def __init__(self, progress: Progress, found: ImageBoxes | None, note: str) -> None:
        self._progress = progress
        self._found = found
        self._note = note

    def __call__(self, done: int, total: int = 0) -> None:
        self._progress(done, total)

    def partial(self, payload: object) -> None:
        assert isinstance(payload, tuple)
        image, info = payload
        info.notes.append(self._note)
        info.animated = False  # frames would come unmasked
        self._progress.partial((paint_boxes(image, self._found, info.width), info))


def decode_masked(
    path: Path,
    masker: Masker,
    progress: Progress,
    cancel: CancelToken,
    shown: threading.Event | None = None,
) -> QImage | None:
    """Worker: :func:`decode_image` for the redacted view: the words OCR reads are checked
    by the detectors and the flagged ones are filled in before the image is shown (all of
    it when its text could not be read)."""
    found: ImageBoxes | None
    try:
        found = image_boxes(path, masker)
        count = len(found.boxes)
        note = f"redacted view: {count} word{'s' if count != 1 else ''} masked"
    except MaskingError as exc:
        found = None
        note = f"redacted view: hidden, its text could not be read ({exc})"
    cancel.raise_if_cancelled()
    wrapped = _MaskingProgress(progress, found, note)
    return decode_image(path, wrapped, cancel, shown)  # type: ignore[arg-type]


def _show_truncated(
    path: Path, info: ImageInfo, cut: Truncation, progress: Progress
) -> QImage | None:
    """Decode what a truncated file holds and hand it over with the banner's words."""
    try:
        data, width, height = decode_truncated(path)
    except Exception as exc:  # nothing usable decodes: damaged after all
        raise PreviewError(
            f"Damaged image: the file is truncated and nothing of it decodes ({_reason(exc)})."
        ) from exc
    image = QImage(data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    if image.isNull():
        raise PreviewError("Damaged image: the file is truncated and nothing of it decodes.")
    info.depth = image.depth()
    info.decoded = image.size()
    info.notes.insert(0, cut.banner)
    info.truncated = cut.banner
    progress.partial((image, info))
    return None


def _wait_for(event: threading.Event, cancel: CancelToken, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not event.wait(0.02) and time.monotonic() < deadline:
        cancel.raise_if_cancelled()
    cancel.raise_if_cancelled()


class ImagePreviewer(Previewer):
    """Fit by default; zoom with the wheel, +/- or the buttons; drag to pan; 1:1 and Fit."""

    kind = "image"
    title = "Image"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._info: ImageInfo | None = None
        self._movie: QMovie | None = None
        self._source: PreviewSource | None = None
        self._shown = threading.Event()  # set once the decoded image has been painted
        self._box: tuple[float, float, float, float] | None = None  # outlined once decoded
        self.canvas = ImageCanvas(self)
        self.canvas.zoomChanged.connect(self._update_info)
        self.canvas.painted.connect(self._on_painted)
        self.zoom_out_button = self._button("−", "Zoom out (-)", self.canvas.zoom_out)
        self.zoom_in_button = self._button("+", "Zoom in (+)", self.canvas.zoom_in)
        self.fit_button = self._button("Fit", "Fit to the window (0)", self.canvas.fit)
        self.actual_button = self._button("1:1", "Actual size (1)", self.canvas.actual_size)
        self.play_button = self._button(
            "Pause", "Pause or play the animation", self.toggle_animation
        )
        self.play_button.setVisible(False)
        self.reveal_button = self._button(
            "Reveal", "Show this image unmasked until the redacted view is turned off", self.reveal
        )
        self.reveal_button.setVisible(False)
        self.masked = False
        # A truncated file shown in part says so here, above the image.
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(8, 2, 8, 2)
        self.banner.setVisible(False)
        self.info = QLabel(self)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info.setWordWrap(True)
        self.info.setContentsMargins(8, 0, 4, 0)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for button in (
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.actual_button,
            self.play_button,
            self.reveal_button,
        ):
            bar.addWidget(button)
        bar.addWidget(self.info, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(self.canvas, 1)

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def load(self, source: PreviewSource) -> None:
        self.cancel()
        self._source = source
        self._info = None
        self._box = None
        self.banner.setVisible(False)
        self.info.setText("Decoding…")
        self._shown = threading.Event()
        masker = self.masker()
        if self.redaction is not None and self.redaction.is_revealed(source.path):
            masker = None
        self.masked = masker is not None
        self.reveal_button.setVisible(self.masked)
        if masker is not None:
            self.info.setText("Reading the text to mask…")
            work = partial(decode_masked, shown=self._shown)
            args: tuple[object, ...] = (source.path, masker)
        else:
            work = partial(decode_image, shown=self._shown)
            args = (source.path,)
        self._task = run_in_pool(
            work,
            *args,
            on_result=self._on_preview,
            on_error=self._on_error,
            on_partial=self._on_image,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._movie is not None:
            self._movie.stop()

    def release(self) -> None:
        """Going away: the decoded image (256 MiB for an 8k x 8k RGBA) and its low-zoom copy
        are freed on the pool; unmapping them here would hold up the GUI thread."""
        held = [self.canvas.image(), self.canvas.preview()]
        self.canvas.set_image(QImage())
        run_in_pool(_let_go, held, on_result=_ignore, on_error=_ignore)

    @Slot()
    def reveal(self) -> None:
        """Show this image unmasked until the redacted view is turned off."""
        source = self._source
        if source is None or self.redaction is None:
            return
        self.redaction.reveal(source.path)
        self.load(source)

    def image_info(self) -> ImageInfo | None:
        return self._info

    def problem(self) -> str:
        """A truncated file shown in part: how much is missing."""
        return self._info.truncated if self._info is not None else ""

    def dump_chunks(self) -> Iterator[str]:
        """The image's metadata, one ``name: value`` line each (then notes and EXIF)."""
        info = self._info
        if info is None:
            return
        lines = [
            f"format: {info.format}",
            f"width: {info.width}",
            f"height: {info.height}",
            f"depth: {info.depth}-bit",
            f"file size: {info.file_size}",
            f"frames: {info.frames}",
        ]
        lines += [f"note: {note}" for note in info.notes]
        lines += [f"exif {name}: {value}" for name, value in info.exif]
        yield "\n".join(lines) + "\n"

    def movie(self) -> QMovie | None:
        return self._movie

    def show_box(self, box: Sequence[float]) -> bool:
        """Outline ``box`` (x, y, width, height in the file's pixels, as OCR gives a word's
        box) on the image and scroll it into the middle; kept for the image still decoding."""
        if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
            return False
        self._box = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
        if self._info is not None:
            self._apply_box()
        return True

    def _apply_box(self) -> None:
        info, box = self._info, self._box
        if info is None or box is None:
            return
        # A huge image decoded downscaled: the box is in the file's pixels.
        decoded = info.decoded
        sx = decoded.width() / info.width if info.width > 0 and decoded.width() > 0 else 1.0
        sy = decoded.height() / info.height if info.height > 0 and decoded.height() > 0 else 1.0
        x, y, w, h = box
        rect = QRectF(x * sx, y * sy, w * sx, h * sy)
        self.canvas.set_marks([rect])
        self.canvas.center_on(rect)

    @Slot(object)
    def _on_image(self, payload: object) -> None:
        assert isinstance(payload, tuple)
        image, info = payload
        self._info = info
        self.banner.setText(info.truncated)
        self.banner.setVisible(bool(info.truncated))
        self.canvas.set_image(image)
        self._apply_box()
        if not paint_coming(self, self.canvas):
            self._shown.set()  # no paint is coming: make the low-zoom copy now
        self._update_info()
        self.ready.emit()
        source = self._source
        if info.animated and source is not None and info.file_size <= MAX_ANIMATION_BYTES:
            self._start_movie(source.path)

    @Slot()
    def _on_painted(self) -> None:
        # On the next turn of the event loop: what the paint was part of (a window
        # showing up, a grab) finishes before the copying starts.
        QTimer.singleShot(0, self._shown.set)

    @Slot(object)
    def _on_preview(self, preview: object) -> None:
        self._task = None
        if isinstance(preview, QImage):
            self.canvas.set_preview(preview)
        self.finished.emit()

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.info.setText("")
        self.failed.emit(user_message(exc))

    def _start_movie(self, path: Path) -> None:
        movie = QMovie(str(path), parent=self)
        movie.setCacheMode(QMovie.CacheMode.CacheNone)
        movie.frameChanged.connect(self._on_frame)
        self._movie = movie
        self.play_button.setVisible(True)
        movie.start()

    @Slot(int)
    def _on_frame(self, _frame: int) -> None:
        if self._movie is not None:
            self.canvas.set_image(self._movie.currentImage(), keep_view=True)

    @Slot()
    def toggle_animation(self) -> None:
        movie = self._movie
        if movie is None:
            return
        paused = movie.state() == QMovie.MovieState.Paused
        movie.setPaused(not paused)
        self.play_button.setText("Pause" if paused else "Play")

    @Slot()
    def _update_info(self) -> None:
        info = self._info
        if info is None:
            return
        parts = [
            info.format,
            f"{info.width:,} × {info.height:,}",
            f"{info.depth}-bit",
            human_size(info.file_size),
        ]
        if info.animated:
            parts.append(f"{info.frames} frames")
        parts.append(f"zoom {self.canvas.zoom():.0%}")
        parts += info.notes
        text = " · ".join(parts)
        if info.exif:
            shown = ", ".join(f"{k}: {v}" for k, v in info.exif[:_EXIF_SHOWN])
            text += f"\nEXIF: {shown}"
        self.info.setText(text)
