"""Column and key names that say what they hold: a whole column named ``ssn`` is masked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from artifact_viewer.core.masking.kinds import Kind

# Each name is matched as a run of whole words of the column name, so ``employee_ssn`` and
# ``EmployeeSSN`` match ``ssn`` while ``lesson`` does not.
DEFAULT_COLUMNS: Mapping[str, Kind] = {
    "ssn": Kind.SSN,
    "social security": Kind.SSN,
    "social security number": Kind.SSN,
    "soc sec": Kind.SSN,
    "itin": Kind.ITIN,
    "tin": Kind.ITIN,
    "tax id": Kind.EIN,
    "taxpayer id": Kind.EIN,
    "ein": Kind.EIN,
    "fein": Kind.EIN,
    "employer id": Kind.EIN,
    "account number": Kind.ACCOUNT,
    "account no": Kind.ACCOUNT,
    "account num": Kind.ACCOUNT,
    "acct": Kind.ACCOUNT,
    "bank account": Kind.ACCOUNT,
    "dda": Kind.ACCOUNT,
    "iban": Kind.ACCOUNT,
    "routing": Kind.ROUTING,
    "aba": Kind.ROUTING,
    "rtn": Kind.ROUTING,
    "card number": Kind.CARD,
    "credit card": Kind.CARD,
    "cc number": Kind.CARD,
    "dob": Kind.DOB,
    "date of birth": Kind.DOB,
    "birth date": Kind.DOB,
    "birthdate": Kind.DOB,
    "birthday": Kind.DOB,
    "salary": Kind.COLUMN,
    "wage": Kind.COLUMN,
    "wages": Kind.COLUMN,
    "gross pay": Kind.COLUMN,
    "net pay": Kind.COLUMN,
    "pay rate": Kind.COLUMN,
    "hourly rate": Kind.COLUMN,
    "compensation": Kind.COLUMN,
    "bonus": Kind.COLUMN,
    "email": Kind.EMAIL,
    "e mail": Kind.EMAIL,
    "phone": Kind.PHONE,
    "mobile": Kind.PHONE,
    "home address": Kind.COLUMN,
    "street address": Kind.COLUMN,
    "address line": Kind.COLUMN,
    "street": Kind.COLUMN,
}

SETTINGS_ADD = "redaction_columns"  # extra names, in settings.json
SETTINGS_REMOVE = "redaction_columns_ignored"  # default names a user does not want masked

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT_RE = re.compile(r"[^a-z0-9]+")


def words(name: str) -> tuple[str, ...]:
    """``EmployeeSSN`` / ``employee_ssn`` / ``Employee SSN`` -> ('employee', 'ssn')."""
    spaced = _CAMEL_RE.sub(" ", name.strip())
    return tuple(w for w in _SPLIT_RE.split(spaced.lower()) if w)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    return any(
        haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1)
    )


class SensitiveColumns:
    """The names that mark a column or key as sensitive (defaults plus the user's own)."""

    def __init__(
        self, extra: Iterable[str] = (), ignored: Iterable[str] = (), *, defaults: bool = True
    ) -> None:
        table: dict[tuple[str, ...], Kind] = {}
        if defaults:
            table.update({words(k): v for k, v in DEFAULT_COLUMNS.items()})
        for name in ignored:
            table.pop(words(name), None)
        for name in extra:
            key = words(name)
            if key:
                table.setdefault(key, Kind.COLUMN)
        self._table = table
        self._joined = {"".join(k): v for k, v in table.items()}
        self._memo: dict[str, Kind | None] = {}

    @classmethod
    def from_settings_extra(cls, extra: Mapping[str, Any]) -> SensitiveColumns:
        """Read the user's additions and removals from ``Settings.extra`` (lists of names)."""

        def names(key: str) -> list[str]:
            value = extra.get(key)
            if isinstance(value, str):
                return [p for p in value.split(",") if p.strip()]
            if isinstance(value, list):
                return [str(v) for v in value if isinstance(v, str)]
            return []

        return cls(names(SETTINGS_ADD), names(SETTINGS_REMOVE))

    def names(self) -> list[str]:
        return sorted(" ".join(k) for k in self._table)

    def kind_of(self, name: str) -> Kind | None:
        """What a column named ``name`` holds, or None when the name says nothing sensitive."""
        if name in self._memo:
            return self._memo[name]
        found: Kind | None = None
        parts = words(name)
        joined = "".join(parts)
        if joined in self._joined:  # "accountnumber", "dateofbirth"
            found = self._joined[joined]
        else:
            best = 0
            for key, kind in self._table.items():
                if len(key) > best and _contains(parts, key):
                    found, best = kind, len(key)
        if len(self._memo) < 4096:
            self._memo[name] = found
        return found

    def is_sensitive(self, name: str) -> bool:
        return self.kind_of(name) is not None
