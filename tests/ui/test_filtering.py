"""The filter box language."""

from __future__ import annotations

from artifact_viewer.ui.models.filter_spec import parse_filter


def test_terms_are_split_into_words_and_fields() -> None:
    spec = parse_filter('payroll "q3 report" type:screenshot mime:image/png status:failed')
    assert spec.words == ("payroll", "q3 report")
    assert spec.types == ("screenshot",)
    assert spec.mimes == ("image/png",)
    assert spec.statuses == ("failed",)
    assert spec.text == "payroll q3 report"


def test_unbalanced_quote_and_dangling_field_do_not_fail() -> None:
    spec = parse_filter('"open quote type:')
    assert spec.words == ('"open', "quote")
    assert spec.types == ()


def test_status_match_is_case_insensitive_and_accepts_spaces() -> None:
    spec = parse_filter('status:"awaiting user"')
    assert spec.matches_status("AWAITING_USER_INPUT")
    assert not spec.matches_status("COMPLETED")
    assert parse_filter("").matches_status(None)


def test_empty_filter_is_empty() -> None:
    assert parse_filter("  ").empty
    assert not parse_filter("x").empty


def test_status_terms_resolve_to_the_api_status_for_the_catalog() -> None:
    from artifact_viewer.ui.controllers.browser import _known_status

    assert _known_status("failed") == "FAILED"
    assert _known_status("awaiting") == "AWAITING_USER_INPUT"
    assert _known_status("completed") == "COMPLETED"  # exact beats "COMPLETED_WITH_..."
    assert _known_status("brand_new") == "BRAND_NEW"
