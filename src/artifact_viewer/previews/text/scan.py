"""Find every occurrence of a byte string in a big buffer at memory speed, mostly without the GIL.

The trick grep uses: look for the needle's rarest byte (the anchor) and check the few
places it occurs. A rare anchor is found with ``bytes.find`` on one byte (``memchr``,
tens of GB/s); a common one with a numpy comparison over the whole step, which also
releases the GIL, so the GUI thread keeps running while a 1 GB file is searched.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import mmap

import numpy as np

Buffer = mmap.mmap | bytes

# Anchor bytes expected per step up to this many are found one by one with bytes.find;
# beyond it one numpy comparison over the step is cheaper than the Python loop.
MEMCHR_MAX = 256
# Bytes sampled (in three places) to estimate how common each byte value is.
SAMPLE = 256 * 1024

# ASCII lower-case table: folding like bytes.lower(), which leaves other bytes alone.
_FOLD = np.arange(256, dtype=np.uint8)
_FOLD[ord("A") : ord("Z") + 1] += 32
_EMPTY = np.empty(0, dtype=np.int64)


def byte_counts(buf: Buffer, start: int, end: int) -> np.ndarray:
    """How often each byte value occurs in samples of ``buf[start:end]`` (head, middle, tail)."""
    counts = np.zeros(256, dtype=np.int64)
    size = end - start
    if size <= 0:
        return counts
    spots = [start] if size <= 3 * SAMPLE else [start, start + size // 2, end - SAMPLE]
    for at in spots:
        piece = buf[at : min(end, at + SAMPLE)]
        counts += np.bincount(np.frombuffer(piece, dtype=np.uint8), minlength=256)
    return counts


def _variants(byte: int, fold: bool) -> tuple[int, ...]:
    """The byte values that match ``byte`` (a lower-case letter matches its capital too)."""
    if fold and ord("a") <= byte <= ord("z"):
        return (byte, byte - 32)
    return (byte,)


def _frequency(counts: np.ndarray, byte: int, fold: bool) -> int:
    return sum(int(counts[v]) for v in _variants(byte, fold))


class _AnchorFinder:
    """Positions of one byte value (and its other case) in a range of the buffer.

    Each step goes the way the previous one suggests: ``bytes.find`` while the byte is
    rare, one numpy comparison once it is common.
    """

    def __init__(self, values: tuple[int, ...], density: float) -> None:
        self.values = values
        self._needles = [bytes([v]) for v in values]
        self._density = density  # occurrences per byte, from the sample, then measured
        self._mask: np.ndarray | None = None

    def positions(self, view: np.ndarray, buf: Buffer, lo: int, hi: int) -> np.ndarray:
        """Sorted offsets in ``[lo, hi)`` holding one of the values."""
        span = hi - lo
        if span <= 0:
            return _EMPTY
        found = None
        if self._density * span <= MEMCHR_MAX:
            found = self._by_find(buf, lo, hi, 4 * MEMCHR_MAX)
        if found is None:
            found = self._by_numpy(view, lo, hi)
        self._density = found.size / span
        return found

    def _by_find(self, buf: Buffer, lo: int, hi: int, cap: int) -> np.ndarray | None:
        """None once there are more than ``cap``: the numpy way is cheaper then."""
        found: list[int] = []
        for needle in self._needles:
            at = buf.find(needle, lo, hi)
            while at >= 0:
                found.append(at)
                if len(found) > cap:
                    return None
                at = buf.find(needle, at + 1, hi)
        if len(self._needles) > 1:
            found.sort()
        return np.array(found, dtype=np.int64)

    def _by_numpy(self, view: np.ndarray, lo: int, hi: int) -> np.ndarray:
        span = hi - lo
        if self._mask is None or self._mask.size < span:
            self._mask = np.empty(span, dtype=bool)
        mask = self._mask[:span]
        segment = view[lo:hi]
        first, *others = self.values
        np.equal(segment, first, out=mask)
        for value in others:
            mask |= segment == value
        found = np.flatnonzero(mask)
        found += lo
        return found


class Needle:
    """One literal to find; ``fold`` matches ASCII letters in either case.

    Holds per-scan state (how common its anchor turned out to be), so use one instance
    per scan and thread.
    """

    def __init__(
        self,
        needle: bytes,
        fold: bool,
        counts: np.ndarray,
        anchor: int | None = None,
        finder: _AnchorFinder | None = None,
    ) -> None:
        if not needle:
            raise ValueError("empty needle")
        self.fold = fold
        self.raw = needle.lower() if fold else needle
        self.bytes = np.frombuffer(self.raw, dtype=np.uint8)
        freq = [_frequency(counts, b, fold) for b in self.raw]
        if anchor is None:
            anchor = min(range(len(freq)), key=freq.__getitem__)
        self.anchor = anchor
        # Check the other positions rarest first: candidates die out soonest.
        self.checks = sorted((i for i in range(len(freq)) if i != anchor), key=freq.__getitem__)
        self.finder = finder or _AnchorFinder(
            _variants(self.raw[anchor], fold), freq[anchor] / max(1, int(counts.sum()))
        )

    def __len__(self) -> int:
        return len(self.raw)

    def find(self, view: np.ndarray, buf: Buffer, lo: int, hi: int) -> np.ndarray:
        """Sorted offsets of matches that start in ``[lo, hi)`` (they may run past ``hi``).

        ``view`` is ``buf`` as a uint8 array; both stay valid for the call.
        """
        hi = min(hi, view.size - len(self.raw) + 1)
        if hi <= lo:
            return _EMPTY
        starts = self.finder.positions(view, buf, lo + self.anchor, hi + self.anchor)
        return self.verify(view, starts - self.anchor)

    def verify(self, view: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """The ``starts`` (whose anchor byte matches) where the whole needle matches."""
        for i in self.checks:
            if starts.size == 0:
                break
            values = view[starts + i]
            if self.fold:
                values = _FOLD[values]
            starts = starts[values == self.bytes[i]]
        return starts


class NeedleSet:
    """Several literals found together (case-sensitive): needles that can share an anchor
    byte share its search, so a dozen error markers cost a few passes over the file."""

    def __init__(self, needles: list[bytes], counts: np.ndarray) -> None:
        picked: dict[int, int] = {}  # anchor byte -> its frequency
        chosen: list[tuple[bytes, int]] = []
        for raw in sorted(needles, key=lambda n: min(int(counts[b]) for b in n)):
            own = min(int(counts[b]) for b in raw)
            # Reuse a byte another needle already searches for when it is not much
            # more common than this needle's rarest: one pass then serves both.
            shared = [i for i, b in enumerate(raw) if b in picked and picked[b] <= 2 * own + 64]
            anchor = (
                min(shared, key=lambda i: picked[raw[i]])
                if shared
                else min(range(len(raw)), key=lambda i: int(counts[raw[i]]))
            )
            picked.setdefault(raw[anchor], int(counts[raw[anchor]]))
            chosen.append((raw, anchor))
        sampled = max(1, int(counts.sum()))
        finders = {b: _AnchorFinder((b,), f / sampled) for b, f in picked.items()}
        self.groups: dict[int, list[Needle]] = {}
        for raw, anchor in chosen:
            byte = raw[anchor]
            needle = Needle(raw, False, counts, anchor, finders[byte])
            self.groups.setdefault(byte, []).append(needle)

    def find(self, view: np.ndarray, buf: Buffer, lo: int, hi: int) -> np.ndarray:
        """Sorted offsets where any needle starts in ``[lo, hi)``."""
        found: list[np.ndarray] = []
        for group in self.groups.values():
            first = min(n.anchor for n in group)
            last = max(n.anchor for n in group)
            where = group[0].finder.positions(view, buf, lo + first, min(view.size, hi + last))
            for needle in group:
                starts = where - needle.anchor
                top = min(hi, view.size - len(needle) + 1)
                starts = starts[(starts >= lo) & (starts < top)]
                found.append(needle.verify(view, starts))
        if not found:
            return _EMPTY
        out = np.concatenate(found)
        out.sort()
        return out
