"""Find sensitive values in text: pattern, then the identifier's own rules, then context words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

from artifact_viewer.core.masking import rules
from artifact_viewer.core.masking.columns import SensitiveColumns, words
from artifact_viewer.core.masking.kinds import Kind, Span

CONTEXT_CHARS = 40  # how far before a bare number a context word may stand
_FIELD_ENDS = (",", ";", "\n", "\t", "|")

# Context words (as whole words of the camel/snake-split text before a value), per kind.
_CONTEXT: dict[Kind, tuple[str, ...]] = {
    Kind.SSN: ("ssn", "ss", "social security", "soc sec", "social sec"),
    Kind.ITIN: ("itin", "tin", "taxpayer identification"),
    Kind.EIN: ("ein", "fein", "employer id", "employer identification", "tax id", "taxid"),
    Kind.ROUTING: ("routing", "aba", "rtn", "transit", "routingnumber"),
    Kind.ACCOUNT: (
        "account", "acct", "a c", "acc", "bank account", "dda", "checking", "savings",
        "accountnumber", "acctno", "iban",
    ),
    Kind.PHONE: ("phone", "tel", "telephone", "mobile", "cell", "fax", "ph", "contact number"),
    Kind.DOB: ("dob", "d o b", "birth", "born", "birthdate", "birthday", "dateofbirth"),
}  # fmt: skip
_CONTEXT_RE = {
    kind: re.compile(r"(?:^| )(?:" + "|".join(re.escape(p) for p in phrases) + r")(?= |$)")
    for kind, phrases in _CONTEXT.items()
}

_B = r"(?<![\w.+/-])"  # no digit, letter or number punctuation right before
_E = r"(?![\w/-]|\.\d)"  # nor right after (a full stop ending a sentence is fine)

SSN_SEP_RE = re.compile(_B + r"(\d{3})([- ])(\d{2})\2(\d{4})" + _E)
NINE_RE = re.compile(_B + r"\d{9}" + _E)
EIN_SEP_RE = re.compile(_B + r"\d{2}-\d{7}" + _E)
ACCOUNT_RE = re.compile(_B + r"\d(?:[- ]?\d){3,16}" + _E)
CARD_RE = re.compile(_B + r"\d(?:[ -]?\d){12,18}" + _E)
EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})"
    r"(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![\w-])"
)
PHONE_RE = re.compile(
    r"(?<![\w.+/-])(?:\+?1[-. ]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}" + _E
    + r"|(?<![\w.+/-])\+1\d{10}" + _E
)  # fmt: skip
PHONE_BARE_RE = re.compile(_B + r"1?\d{10}" + _E)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    _B
    + r"(?:(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})"
    + r"|(?P<um>\d{1,2})(?P<us>[/.-])(?P<ud>\d{1,2})(?P=us)(?P<uy>\d{4}|\d{2})"
    + rf"|(?P<tm>{_MONTH_ALT})\.? (?P<td>\d{{1,2}}),? (?P<ty>\d{{4}})"
    + rf"|(?P<ed>\d{{1,2}}) (?P<em>{_MONTH_ALT})\.?,? (?P<ey>\d{{4}}))"
    + _E,
    re.IGNORECASE,
)

# key/value pairs in raw text whose key names a sensitive column: JSON, XML, key=value.
JSON_PAIR_RE = re.compile(
    r'"(?P<key>[^"\\\n]{1,64})"\s*:\s*(?:"(?P<str>(?:[^"\\\n]|\\.){1,256})"'
    r"|(?P<num>-?\d[\d.eE+-]{0,40}))"
)
XML_PAIR_RE = re.compile(
    r"<(?P<key>[A-Za-z_][\w.:-]{0,63})(?:\s[^<>]{0,200})?>(?P<val>[^<>\n]{1,256})</(?P=key)>"
)
KV_PAIR_RE = re.compile(
    r"(?<![\w.-])(?P<key>[A-Za-z_][\w.-]{0,40})[ \t]*[:=][ \t]*(?P<val>[^\s,;\"'<>]{1,128})"
)


def nearest_context(text: str, start: int, kinds: tuple[Kind, ...]) -> Kind | None:
    """Which of ``kinds`` a context word nearest before ``start`` speaks of (None: none)."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    # Context ends where the previous field or clause does.
    cut = max(before.rfind(ch) for ch in _FIELD_ENDS)
    window = " ".join(words(before[cut + 1 :]))
    best: Kind | None = None
    best_end = -1
    for kind in kinds:
        for match in _CONTEXT_RE[kind].finditer(window):
            if match.end() >= best_end:
                best, best_end = kind, match.end()
    return best


_NINE_KINDS = (Kind.SSN, Kind.ITIN, Kind.EIN, Kind.ROUTING, Kind.ACCOUNT, Kind.PHONE, Kind.DOB)


def _ssn_separated(text: str) -> Iterator[Span]:
    for m in SSN_SEP_RE.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if m.group(2) == " " and nearest_context(text, m.start(), (Kind.SSN, Kind.ITIN)) is None:
            continue  # "123 45 6789" is an SSN only when something says so
        if rules.ssn_valid(digits):
            yield Span(m.start(), m.end(), Kind.SSN)
        elif rules.itin_valid(digits):
            yield Span(m.start(), m.end(), Kind.ITIN)


def _nine_digits(text: str) -> Iterator[Span]:
    """A bare 9-digit number is an SSN, ITIN, EIN or routing number only when the words
    before it say which (order numbers and ids are 9 digits too)."""
    for m in NINE_RE.finditer(text):
        digits = m.group()
        kind = nearest_context(text, m.start(), _NINE_KINDS)
        if kind in (Kind.SSN, Kind.ITIN):
            if rules.ssn_valid(digits):
                yield Span(m.start(), m.end(), Kind.SSN)
            elif rules.itin_valid(digits):
                yield Span(m.start(), m.end(), Kind.ITIN)
        elif kind is Kind.EIN and rules.ein_valid(digits):
            yield Span(m.start(), m.end(), Kind.EIN)
        elif kind is Kind.ROUTING and rules.aba_valid(digits):
            yield Span(m.start(), m.end(), Kind.ROUTING)


def _ein_separated(text: str) -> Iterator[Span]:
    for m in EIN_SEP_RE.finditer(text):
        if rules.ein_valid(rules.digits_of(m.group())):
            yield Span(m.start(), m.end(), Kind.EIN)


def _accounts(text: str) -> Iterator[Span]:
    for m in ACCOUNT_RE.finditer(text):
        digits = rules.digits_of(m.group())
        if not 4 <= len(digits) <= 17:
            continue
        if nearest_context(text, m.start(), _NINE_KINDS) is Kind.ACCOUNT:
            yield Span(m.start(), m.end(), Kind.ACCOUNT)


def _cards(text: str) -> Iterator[Span]:
    for m in CARD_RE.finditer(text):
        value = m.group()
        digits = rules.digits_of(value)
        # Separators, if any, group the digits as cards print them: all one kind, groups of 4-6.
        seps = {ch for ch in value if not ch.isdigit()}
        if len(seps) > 1:
            continue
        if seps and any(not 3 <= len(g) <= 6 for g in re.split(r"[ -]", value)):
            continue
        if rules.card_valid(digits):
            yield Span(m.start(), m.end(), Kind.CARD)


def _emails(text: str) -> Iterator[Span]:
    for m in EMAIL_RE.finditer(text):
        yield Span(m.start(), m.end(), Kind.EMAIL)


def _phones(text: str) -> Iterator[Span]:
    for m in PHONE_RE.finditer(text):
        if rules.nanp_valid(rules.digits_of(m.group())):
            yield Span(m.start(), m.end(), Kind.PHONE)
    for m in PHONE_BARE_RE.finditer(text):
        if rules.nanp_valid(m.group()) and (
            nearest_context(text, m.start(), _NINE_KINDS) is Kind.PHONE
        ):
            yield Span(m.start(), m.end(), Kind.PHONE)


def parse_date(match: re.Match[str]) -> date | None:
    g = match.groupdict()
    try:
        if g["iy"]:
            year, month, day = int(g["iy"]), int(g["im"]), int(g["id"])
        elif g["uy"]:
            year, month, day = int(g["uy"]), int(g["um"]), int(g["ud"])
            if len(g["uy"]) == 2:
                year += 1900 if year > date.today().year % 100 else 2000
            if month > 12 and day <= 12:  # 31/12/1980: day first
                month, day = day, month
        elif g["ty"]:
            year, month, day = int(g["ty"]), _MONTHS[g["tm"].lower()], int(g["td"])
        else:
            year, month, day = int(g["ey"]), _MONTHS[g["em"].lower()], int(g["ed"])
    except (KeyError, TypeError, ValueError):
        return None
    return date(year, month, day) if rules.date_valid(year, month, day) else None


def _dobs(text: str) -> Iterator[Span]:
    for m in DATE_RE.finditer(text):
        if parse_date(m) is None:
            continue
        if nearest_context(text, m.start(), _NINE_KINDS) is Kind.DOB:
            yield Span(m.start(), m.end(), Kind.DOB)


Detector = Callable[[str], Iterator[Span]]

# Earlier detectors win where two claim overlapping text of the same length.
DETECTORS: tuple[Detector, ...] = (
    _ssn_separated,
    _nine_digits,
    _ein_separated,
    _cards,
    _emails,
    _phones,
    _dobs,
    _accounts,
)


def keyed_values(text: str, columns: SensitiveColumns) -> Iterator[Span]:
    """Values of JSON keys, XML elements and ``key=value`` pairs named like a sensitive column."""
    for m in JSON_PAIR_RE.finditer(text):
        kind = columns.kind_of(m.group("key"))
        if kind is None:
            continue
        group = "str" if m.group("str") is not None else "num"
        yield Span(m.start(group), m.end(group), kind)
    for m in XML_PAIR_RE.finditer(text):
        kind = columns.kind_of(m.group("key").rsplit(":", 1)[-1])
        if kind is not None and m.group("val").strip():
            yield Span(m.start("val"), m.end("val"), kind)
    for m in KV_PAIR_RE.finditer(text):
        kind = columns.kind_of(m.group("key"))
        if kind is not None:
            yield Span(m.start("val"), m.end("val"), kind)


def find_spans(text: str, columns: SensitiveColumns | None) -> list[Span]:
    """Every sensitive value in ``text``, sorted, without overlaps (the longest claim wins)."""
    found: list[tuple[int, int, int, Span]] = []
    for rank, detector in enumerate(DETECTORS):
        for span in detector(text):
            found.append((span.start, -len(span), rank, span))
    if columns is not None:
        for span in keyed_values(text, columns):
            found.append((span.start, -len(span), len(DETECTORS), span))
    found.sort()
    out: list[Span] = []
    end = -1
    for start, _neg, _rank, span in found:
        if start >= end:
            out.append(span)
            end = span.end
        elif out and span.end > end and len(span) > len(out[-1]):
            # A longer claim that starts inside the previous one: keep the longer of the two.
            out[-1] = span
            end = span.end
    return out
