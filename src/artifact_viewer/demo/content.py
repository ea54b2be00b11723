"""Byte generators for small demo artifacts: employee JSON, payroll CSV, XML, logs, a binary blob."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta

FIRST = (
    "José", "Anaïs", "Zoë", "Łukasz", "Søren", "Priya", "Kwame", "Mei", "Olivia", "Liam",
    "Noah", "Emma", "Ava", "Mateo", "Fatima", "Hiroshi", "Ingrid", "Chidi", "Elena", "Omar",
)  # fmt: skip
LAST = (
    "Müller", "Dubois", "O'Brien", "Żółć", "Nørgaard", "Patel", "Mensah", "Chen", "Smith",
    "García", "Johnson", "Kowalski", "Nakamura", "Larsen", "Okafor", "Rossi", "Haddad", "Lee",
)  # fmt: skip
# Full names written in scripts without a first/last split.
WHOLE_NAMES = ("李雷", "韩梅梅", "Владимир Петров", "محمد علي", "김민준")
DEPARTMENTS = ("Engineering", "Sales", "Support", "Finance", "Operations", "People", "Kitchen")
TITLES = ("Engineer", "Account Executive", "Analyst", "Manager, Ops", "Line Cook", "Director")
STATES = ("CA", "NY", "TX", "WA", "IL", "CO", "MA", "FL")
CITIES = ("San Francisco, CA", "Brooklyn, NY", "Austin, TX", "Seattle, WA", "Chicago, IL")


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return rng.choice(WHOLE_NAMES)
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def employees_json(seed: int, provider: str, count: int = 40) -> bytes:
    """Nested employee records as a provider export might hold them."""
    rng = random.Random(seed)
    records = []
    for i in range(count):
        name = person_name(rng)
        salary = rng.randrange(42_000, 260_000, 500)
        records.append(
            {
                "employeeId": f"E{seed % 1000:03d}{i:04d}",
                "name": name,
                "email": f"user{i}@example.com",
                "active": rng.random() > 0.1,
                "department": rng.choice(DEPARTMENTS),
                "title": rng.choice(TITLES),
                "startDate": f"20{rng.randint(10, 26):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "manager": None if i == 0 else f"E{seed % 1000:03d}{rng.randrange(i):04d}",
                "compensation": {
                    "type": rng.choice(["salary", "hourly"]),
                    "annual": salary,
                    "currency": "USD",
                    "history": [
                        {"effective": f"202{y}-01-01", "annual": salary - (5 - y) * 2_500}
                        for y in range(rng.randint(1, 4))
                    ],
                },
                "address": {"city": rng.choice(CITIES), "country": "US"},
                "benefits": rng.sample(["medical", "dental", "vision", "401k", "hsa"], k=2),
                "notes": rng.choice(["", "On leave", 'Prefers "Zoe"', "Remote — EU hours"]),
            }
        )
    doc = {"source": provider, "exportedRecords": len(records), "employees": records}
    return json.dumps(doc, indent=2, ensure_ascii=False).encode()


def payroll_csv(seed: int, rows: int = 3000) -> bytes:
    """A payroll register: quoted commas, unicode names, empty cells."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["employee_id", "name", "department", "pay_date", "gross_pay", "federal_tax",
         "state", "state_tax", "net_pay", "memo"]
    )  # fmt: skip
    for i in range(rows):
        gross = rng.randrange(120_000, 1_200_000) / 100
        fed = round(gross * rng.uniform(0.1, 0.24), 2)
        state_tax = round(gross * rng.uniform(0.0, 0.09), 2)
        memo = rng.choice(["", "", "Bonus, Q3", "Retro pay, adj.", "Reimb: travel, meals"])
        writer.writerow(
            [f"E{i:05d}", person_name(rng), rng.choice(DEPARTMENTS), f"2026-{rng.randint(1, 11):02d}-15",
             f"{gross:.2f}", f"{fed:.2f}", rng.choice(STATES) if rng.random() > 0.05 else "",
             f"{state_tax:.2f}" if rng.random() > 0.05 else "", f"{gross - fed - state_tax:.2f}", memo]
        )  # fmt: skip
    return out.getvalue().encode()


def accounts_xml(seed: int, count: int = 60) -> bytes:
    """A QuickBooks-like chart of accounts in XML."""
    rng = random.Random(seed)
    kinds = ("Bank", "AccountsReceivable", "Expense", "Income", "CreditCard", "Equity")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<QBXML version="16.0">', "  <AccountRet>"]
    for i in range(count):
        balance = rng.randrange(-500_000, 5_000_000) / 100
        name = rng.choice(("Payroll Clearing", "Café supplies", "R&D <tools>", "Wages & Salaries"))
        name = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(
            f'    <Account id="{1000 + i}" type="{rng.choice(kinds)}" active="{str(rng.random() > 0.1).lower()}">'
            f'<Name>{name} {i}</Name><Balance currency="USD">{balance:.2f}</Balance></Account>'
        )
    lines += ["  </AccountRet>", "</QBXML>", ""]
    return "\n".join(lines).encode()


_TRACE = """Traceback (most recent call last):
  File "/app/anon/runtime/executor.py", line 214, in run_step
    result = await step.execute(page, context)
  File "/app/anon/runtime/steps/{state}.py", line 88, in execute
    await page.wait_for_selector(selector, timeout=30_000)
  File "/app/.venv/lib/python3.11/site-packages/playwright/async_api/_generated.py", line 8162, in wait_for_selector
    raise TimeoutError(message)
playwright._impl._errors.TimeoutError: Timeout 30000ms exceeded waiting for selector "table.employees"
"""


def run_log(seed: int, start: datetime, states: list[str], outcome: str) -> bytes:
    """A workflow-run log: ISO timestamps, four levels, and a stack trace when the run failed."""
    rng = random.Random(seed)
    t = start
    lines: list[str] = []

    def emit(level: str, msg: str) -> None:
        nonlocal t
        t += timedelta(milliseconds=rng.randint(5, 4000))
        stamp = t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        lines.append(f"{stamp} {level:<7} {msg}")

    emit("INFO", "workflow run started")
    for state in states:
        emit("INFO", f"entering state {state}")
        for _ in range(rng.randint(2, 6)):
            emit("DEBUG", f"{state}: selector resolved in {rng.randint(3, 900)}ms")
        if rng.random() < 0.3:
            emit("WARNING", f"{state}: slow page load ({rng.uniform(3, 12):.1f}s), retrying once")
        if outcome == "FAILED" and state == states[-1]:
            emit("ERROR", f"step {state} failed")
            lines.append(_TRACE.format(state=state).rstrip("\n"))
            break
        if outcome == "AWAITING_USER_INPUT" and state == states[-1]:
            emit("WARNING", "multi-factor prompt shown; waiting for user input")
            break
    else:
        if outcome in ("COMPLETED", "COMPLETED_WITH_NO_ACTION_TAKEN"):
            emit("INFO", f"workflow run finished: {outcome}")
    return ("\n".join(lines) + "\n").encode()


def blob(seed: int, size: int = 48 * 1024) -> bytes:
    """Opaque bytes (an archived browser session) served as application/octet-stream."""
    return b"ANONSESS\x00\x01" + random.Random(seed).randbytes(size)


def tiny_record(artifact_id: str, index: int) -> bytes:
    """Cheap per-artifact JSON for the scale data set: unique, a few hundred bytes."""
    rows = [{"k": "a", "v": index * 7 % 1000}, {"k": "b", "v": index * 13 % 1000}]
    return (json.dumps({"artifactId": artifact_id, "index": index, "rows": rows}) + "\n").encode()
