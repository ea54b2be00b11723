"""What a detected value is, and where it sits in a text."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SSN = "ssn"
    ITIN = "itin"
    EIN = "ein"
    ROUTING = "routing"
    ACCOUNT = "account"
    CARD = "card"
    EMAIL = "email"
    PHONE = "phone"
    DOB = "dob"
    COLUMN = "column"  # a whole value masked because of its column or key name


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` holds a sensitive value of ``kind`` (views draw boxes over these)."""

    start: int
    end: int
    kind: Kind

    def __len__(self) -> int:
        return self.end - self.start
