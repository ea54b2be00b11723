"""The identifier rules and the masking API the views call."""

from __future__ import annotations

import pytest

from artifact_viewer.core.masking import (
    Kind,
    Masker,
    SensitiveColumns,
    column_is_sensitive,
    mask_cell,
    mask_text,
    rules,
    spans,
)


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("234567890", True),
        ("000123456", False),  # area 000
        ("666123456", False),  # area 666
        ("900701234", False),  # 9xx is never an SSN
        ("123004567", False),  # group 00
        ("123450000", False),  # serial 0000
        ("078051120", False),  # voided (printed on sample cards)
    ],
)
def test_ssn_rules_follow_the_ssa(digits: str, valid: bool) -> None:
    assert rules.ssn_valid(digits) is valid


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("912701234", True), ("900501234", True), ("912931234", False), ("912491234", False)],
)
def test_itin_groups(digits: str, valid: bool) -> None:
    assert rules.itin_valid(digits) is valid


def test_ein_prefixes_and_aba_check_digit_and_luhn_and_nanp() -> None:
    assert rules.ein_valid("123456789") and not rules.ein_valid("071234567")
    assert not rules.ein_valid("891234567") and rules.ein_valid("981234567")
    assert rules.aba_valid("021000021") and not rules.aba_valid("021000022")
    assert not rules.aba_valid("991000021")  # unknown prefix
    assert rules.card_valid("4111111111111111") and not rules.card_valid("4111111111111112")
    assert not rules.card_valid("0000000000000000")
    assert rules.nanp_valid("2125550143") and rules.nanp_valid("12125550143")
    assert not rules.nanp_valid("1235550143")  # area starts with 1
    assert not rules.nanp_valid("9115550143")  # N11 area
    assert not rules.nanp_valid("2124110143")  # N11 exchange


def test_spans_are_sorted_and_never_overlap() -> None:
    text = "SSN 234-56-7890, card 4111 1111 1111 1111, mail a@b.io, phone (212) 555-0143"
    found = spans(text)
    assert [s.kind for s in found] == [Kind.SSN, Kind.CARD, Kind.EMAIL, Kind.PHONE]
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert text[found[0].start : found[0].end] == "234-56-7890"


def test_column_names_match_whole_words_in_any_case_style() -> None:
    for name in ("ssn", "EmployeeSSN", "employee_ssn", "Tax ID", "DateOfBirth", "routing_number",
                 "AccountNumber", "gross_pay", "Salary"):  # fmt: skip
        assert column_is_sensitive(name), name
    for name in ("lesson", "order_id", "setting", "zip", "employee_count", "accounting_period"):
        assert not column_is_sensitive(name), name


def test_user_columns_from_settings_are_added_and_removed() -> None:
    masker = Masker.from_settings_extra(
        {"redaction_columns": ["badge", "Emergency Contact"], "redaction_columns_ignored": "bonus"}
    )
    assert masker.column_is_sensitive("employee_badge")
    assert masker.column_is_sensitive("emergencyContact")
    assert not masker.column_is_sensitive("bonus")
    assert Masker().column_is_sensitive("bonus")
    assert "ssn" in SensitiveColumns().names()


def test_mask_cell_masks_a_sensitive_column_whole_and_other_cells_by_content() -> None:
    assert mask_cell("salary", 85000.5) == "*****.*"
    assert mask_cell("ssn", "234567890") == "*****7890"
    assert mask_cell("notes", "call (212) 555-0143") == "call (***) ***-****"
    assert mask_cell("notes", "nothing here 42") == "nothing here 42"
    assert mask_cell(None, None) == ""


def test_keyed_values_in_raw_json_xml_and_key_value_text() -> None:
    assert mask_text('{"salary": 85000, "name": "Jo"}') == '{"salary": *****, "name": "Jo"}'
    assert mask_text("<ssn>000-12-3456</ssn>") == "<ssn>***-**-3456</ssn>"  # the key decides
    assert mask_text("dob=1980-01-02 ok") == "dob=****-**-** ok"
    assert mask_text("Placeholder 000-12-3456") == "Placeholder 000-12-3456"


def test_text_without_sensitive_values_is_returned_unchanged() -> None:
    text = "Order 100-200-3000 shipped to ZIP 94107-1234 on 2025-03-01"
    assert mask_text(text) == text
    assert mask_text("") == ""
