"""Validity rules of US identifiers: SSN/ITIN (SSA rules), EIN prefixes, ABA check digit, Luhn, NANP."""

from __future__ import annotations

import calendar

# SSNs the SSA never issued or voided after they were published (advertising samples).
_VOID_SSNS = frozenset({"078051120", "219099999"})

# ITIN group numbers (digits 4-5) the IRS issues; every other 9xx group is not an ITIN.
_ITIN_GROUPS = frozenset([*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)])

# EIN prefixes (first two digits) the IRS assigns, by campus and online issuance.
_EIN_PREFIXES = frozenset(
    [
        *range(1, 7),
        *range(10, 17),
        *range(20, 28),
        *range(30, 49),
        *range(50, 69),
        *range(71, 78),
        *range(80, 89),
        *range(90, 96),
        98,
        99,
    ]
)

# ABA routing prefixes: 00 (government), 01-12 (Federal Reserve districts), 21-32 (thrifts),
# 61-72 (electronic), 80 (traveller's cheques).
_ABA_PREFIXES = frozenset([*range(0, 13), *range(21, 33), *range(61, 73), 80])


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def ssn_valid(digits: str) -> bool:
    """A number the SSA could have issued: area not 000, 666 or 9xx; group not 00; serial not 0000."""
    if len(digits) != 9 or not digits.isdigit() or digits in _VOID_SSNS:
        return False
    area, group, serial = int(digits[:3]), int(digits[3:5]), int(digits[5:])
    return area not in (0, 666) and area < 900 and group != 0 and serial != 0


def itin_valid(digits: str) -> bool:
    """An IRS ITIN: area 9xx, group 50-65, 70-88, 90-92 or 94-99, serial not 0000."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    return digits[0] == "9" and int(digits[3:5]) in _ITIN_GROUPS and int(digits[5:]) != 0


def ein_valid(digits: str) -> bool:
    """Nine digits with a prefix the IRS assigns (and not all zeros after it)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    return int(digits[:2]) in _EIN_PREFIXES and int(digits[2:]) != 0


def aba_valid(digits: str) -> bool:
    """An ABA routing number: a known prefix and the 3-7-1 weighted check digit."""
    if len(digits) != 9 or not digits.isdigit() or int(digits[:2]) not in _ABA_PREFIXES:
        return False
    if digits == "000000000":
        return False
    d = [int(c) for c in digits]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return total % 10 == 0


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_prefix_known(digits: str) -> bool:
    """An issuer prefix of a major network with a length that network uses."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16  # Mastercard
    if two in (34, 37):
        return n == 15  # American Express
    if four == 6011 or two == 65 or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19  # Discover
    if 3528 <= four <= 3589:
        return 16 <= n <= 19  # JCB
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= n <= 19  # Diners Club
    if two in (50, 56, 57, 58, 67) or digits[:2] == "63":
        return 12 <= n <= 19  # Maestro
    return digits[:2] == "62" and 16 <= n <= 19  # UnionPay


def card_valid(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    return card_prefix_known(digits) and luhn_valid(digits)


def nanp_valid(digits: str) -> bool:
    """A NANP number (10 digits, or 11 with a leading 1): area and exchange start 2-9 and are
    not N11 service codes; 37X/96X areas are reserved."""
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or not digits.isdigit():
        return False
    area, exchange = digits[:3], digits[3:6]
    for code in (area, exchange):
        if code[0] in "01" or code[1:] == "11":
            return False
    return area[:2] not in ("37", "96") and area[1] != "9"


def date_valid(year: int, month: int, day: int) -> bool:
    """A real calendar date from a plausible birth year (1900 up to this century)."""
    if not 1900 <= year <= 2099 or not 1 <= month <= 12:
        return False
    return 1 <= day <= calendar.monthrange(year, month)[1]
