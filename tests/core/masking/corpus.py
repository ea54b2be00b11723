"""Labelled text for the masking detectors: ``[[kind:value]]`` marks what must be masked.

Hand-written lines cover the shapes seen in payroll registers, W-2/941 extracts, census
files and logs, each next to the look-alikes that must stay visible (order numbers, ZIP+4,
phone-shaped ids, SSA-invalid SSNs, routing numbers failing the check digit). Generated
lines (seeded) add many valid and invalid numbers of each kind in the same templates.
Some lines are known misses or false alarms of the current rules; they stay in the corpus
so the measured precision and recall are honest.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from artifact_viewer.core.masking import Kind

HAND_WRITTEN = [
    # SSNs and ITINs
    "SSN: [[ssn:234-56-7890]]",
    "Employee SSN [[ssn:345-67-8901]] hired 2021",
    "social security number [[ssn:456 78 9012]]",
    "ssn=[[ssn:567890123]]",
    "<EmployeeSSN>[[ssn:678-90-1234]]</EmployeeSSN>",
    '{"name": "Ana Ruiz", "ssn": "[[ssn:123-45-6789]]"}',
    "Worker,Jo Kim,[[ssn:001-01-0001]],FT",
    "ITIN [[itin:912-70-1234]] issued",
    "taxpayer identification [[itin:987-88-6543]]",
    "Placeholder 000-12-3456 in the template",
    "Badge 666-12-3456",
    "Claim 123-00-4567 rejected",
    "Claim 123-45-0000 rejected",
    "SSN 078-05-1120 (the Woolworth card)",
    "ITIN 912-93-1234 is not a valid group",
    "Batch 123 45 6789 processed",
    "Ticket 234-56-7890-A reopened",
    "tracking 1Z999AA10123456784",
    "ref 200-12-3456/7",
    "[[ssn:234567891]] is her social security number",  # context after the value: a miss
    # EINs
    "EIN [[ein:12-3456789]]",
    "Employer identification number: [[ein:98-7654321]]",
    "FEIN [[ein:271234567]]",
    '"ein": "[[ein:45-1234567]]"',
    "Form 941 for employer [[ein:36-4567890]], quarter 2",
    "Invalid EIN 07-1234567 kept visible",
    "Part number 00-1234567",
    "Tax ID [[ssn:470-12-3456]]",  # SSN-shaped: an SSN, not an EIN
    # Routing and account numbers
    "Routing [[routing:021000021]] Account [[account:000123456789]]",
    "ABA [[routing:111000025]]",
    '{"routingNumber": "[[routing:026009593]]", "accountNumber": "[[account:4455667788]]"}',
    "RTN: [[routing:122105155]] DDA: [[account:1234567]]",
    "Routing 021000022 fails its check digit",
    "routing number 123456789 is not a routing number",
    "Acct # [[account:9876-5432-10]] closed",
    "direct deposit to a/c [[account:55512345]]",
    "Account no. [[account:1234 5678 9012]]",
    "Order 021000021 shipped",
    "deposit to [[account:000123456789]] completed",  # no context word: a miss
    "<Account><Number>[[account:123456789012]]</Number></Account>",
    # Cards
    "Visa [[card:4111 1111 1111 1111]] exp 12/29",
    "card=[[card:5500-0000-0000-0004]]",
    "Amex [[card:378282246310005]]",
    "Discover [[card:6011111111111117]]",
    "paid with [[card:4012888888881881]]",
    "Order 4111111111111112 confirmed",
    "Invoice 1234567890123456",
    "SKU 4000 0000 0000 0000 0",
    "Order 4532015112830366",  # a Luhn-valid Visa-shaped order number: a false alarm
    "Tracking 4716 1234 5678 9010 received",  # fails Luhn
    "IMEI 490154203237518",  # Luhn-valid 15 digits, not a card prefix of that length
    # Emails
    "Contact [[email:jane.doe@example.com]] for payroll",
    "mailto:[[email:hr-team+w2@acme-payroll.co.uk]]",
    '"email": "[[email:a.b@c.io]]"',
    "From: Payroll Bot <[[email:noreply@anon.com]]>",
    "user@localhost is not an address",
    "@mention in the notes",
    "version 1.2@3 build",
    # Phones
    "Phone: [[phone:(212) 555-0143]]",
    "call [[phone:415.555.2671]] after 5",
    "Mobile [[phone:+1 312-555-0199]]",
    "tel [[phone:+14155552671]]",
    "cell: [[phone:6505550123]]",
    "ZIP 94107-1234",
    "ZIP+4: 10001-0001, Order 100-200-3000",
    "Invoice 123-456-7890",  # area code 123 cannot exist
    "Case 911-555-1234",  # N11 area code
    "Request id 555-223-4567",  # shaped like a phone: a false alarm
    "call [[phone:5125550143]] tomorrow",  # bare digits without a phone word: a miss
    "Version 2024.10.15 released",
    "IP 192.168.100.123",
    # Dates of birth
    "DOB: [[dob:1980-02-29]]",
    "Date of birth [[dob:03/14/1975]]",
    "born [[dob:July 4, 1962]]",
    "Birth date: [[dob:4 July 1962]]",
    '"date_of_birth": "[[dob:1990-12-31]]"',
    "<BirthDate>[[dob:2001-01-15]]</BirthDate>",
    "d.o.b. [[dob:12/25/88]]",
    "Hire date 2019-06-01",
    "Pay period ending 03/14/2025",
    "born 1981-02-29 (no such day)",
    "shipped 3/14/1975; born in Ohio",
    "[[dob:1985-07-19]] (date of birth)",  # context after the value: a miss
    # Whole keys and columns
    '{"salary": [[column:85000]], "title": "Analyst"}',
    '{"grossPay": "[[column:4,210.55]]", "period": "2025-03"}',
    "<HomeAddress>[[column:12 Elm St, Springfield]]</HomeAddress>",
    "bonus=[[column:1500.00]] approved",
    "employee_count=4200",
    '{"order_id": "100-200-3000", "zip": "94107-1234"}',
]

SSN_TEMPLATES = ["SSN {}", "ssn: {}", "Social Security {}", "{} (SSN)", "W-2 box a {}"]
BAD_SSN_TEMPLATES = ["Claim {} closed", "Reference {}", "Badge {}", "{} units"]
LOOKALIKE_TEMPLATES = ["Order {}", "ref {}", "PO {}", "id={}", "{} units"]


@dataclass(frozen=True)
class Sample:
    text: str
    expected: frozenset[tuple[int, int, Kind]]


_MARK_RE = re.compile(r"\[\[(\w+):(.*?)\]\]")


def parse(line: str) -> Sample:
    """Strip ``[[kind:value]]`` marks, remembering where each value lands."""
    out: list[str] = []
    expected: set[tuple[int, int, Kind]] = set()
    pos = 0
    length = 0
    for m in _MARK_RE.finditer(line):
        before = line[pos : m.start()]
        out.append(before)
        length += len(before)
        value = m.group(2)
        expected.add((length, length + len(value), Kind(m.group(1))))
        out.append(value)
        length += len(value)
        pos = m.end()
    out.append(line[pos:])
    return Sample("".join(out), frozenset(expected))


def _ssn(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def _bad_ssn(rng: random.Random) -> str:
    area, group, serial = rng.randint(1, 899), rng.randint(1, 99), rng.randint(1, 9999)
    choice = rng.randrange(4)
    if choice == 0:
        area = 0
    elif choice == 1:
        area = 666
    elif choice == 2:
        group = 0
    else:
        serial = 0
    return f"{area:03d}-{group:02d}-{serial:04d}"


def _aba(rng: random.Random, valid: bool) -> str:
    prefix = rng.choice([1, 2, 5, 11, 12, 21, 26, 31, 61, 72])
    body = f"{prefix:02d}" + "".join(str(rng.randrange(10)) for _ in range(6))
    d = [int(c) for c in body]
    check = (-(3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5]))) % 10
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    return body + str(check)


def _luhn_complete(partial: str) -> str:
    for last in range(10):
        candidate = partial + str(last)
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            v = int(ch) * (2 if i % 2 else 1)
            total += v - 9 if v > 9 else v
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _card(rng: random.Random, valid: bool) -> str:
    prefix = rng.choice(["4", "51", "55", "2221", "6011"])
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(15 - len(prefix)))
    number = _luhn_complete(body)
    if not valid:
        number = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
    sep = rng.choice(["", " ", "-"])
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def _phone(rng: random.Random) -> str:
    area = f"{rng.randint(2, 9)}{rng.randint(0, 8)}{rng.randint(0, 9)}"
    while area[1:] == "11" or area[:2] in ("37", "96"):
        area = f"{rng.randint(2, 9)}{rng.randint(0, 8)}{rng.randint(0, 9)}"
    exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(2, 9)}"
    line = f"{rng.randint(0, 9999):04d}"
    return rng.choice([f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}"])


def generated(seed: int = 18) -> list[str]:
    rng = random.Random(seed)
    lines: list[str] = []
    for _ in range(40):
        lines.append(rng.choice(SSN_TEMPLATES).format(f"[[ssn:{_ssn(rng)}]]"))
        lines.append(rng.choice(BAD_SSN_TEMPLATES).format(_bad_ssn(rng)))
        lines.append(f"routing {'[[routing:' + _aba(rng, True) + ']]'}")
        lines.append(f"routing {_aba(rng, False)} (check digit wrong)")
        lines.append(rng.choice(LOOKALIKE_TEMPLATES).format(_aba(rng, True)))
        lines.append(f"card [[card:{_card(rng, True)}]]")
        lines.append(rng.choice(LOOKALIKE_TEMPLATES).format(_card(rng, False)))
        lines.append(f"phone [[phone:{_phone(rng)}]]")
        zip4 = f"{rng.randint(10000, 99999)}-{rng.randint(1, 9999):04d}"
        lines.append(f"Ship to ZIP {zip4}")
        order = f"{rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(0, 9999):04d}"
        lines.append(f"Order number {order}" if order[0] in "01" else f"Order {order[:3]}")
    return lines


def corpus() -> list[Sample]:
    return [parse(line) for line in [*HAND_WRITTEN, *generated()]]
