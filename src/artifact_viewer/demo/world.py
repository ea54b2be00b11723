"""The fixed shape of the demo world: workflows per provider, their steps, jobs and artifact recipes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Output:
    """One artifact a workflow produces: API type, file name, MIME type, generator key."""

    type: str
    filename: str
    mime: str
    maker: str


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    key: str
    name: str
    provider: str
    type: str
    host: str
    states: tuple[str, ...]
    outputs: tuple[Output, ...]


SHOT = Output("screenshot", "{state}.png", "image/png", "screenshot")
LOG = Output("log_file", "run.log", "text/plain", "log")

WORKFLOWS: tuple[WorkflowSpec, ...] = (
    WorkflowSpec(
        "gusto_login", "Log in to Gusto", "gusto", "LOGIN", "app.gusto.com",
        ("opening_login_page", "entering_credentials", "verifying_mfa", "landing_on_dashboard"),
        (SHOT, LOG),
    ),
    WorkflowSpec(
        "gusto_census", "Export employee census", "gusto", "USER_DEFINED", "app.gusto.com",
        ("navigating_to_people", "extracting_employee_records", "exporting_census_csv"),
        (
            Output("extracted_data", "employees.json", "application/json", "employees_json"),
            Output("extracted_data", "employee_census.csv", "text/csv", "payroll_csv"),
            SHOT, LOG,
        ),
    ),
    WorkflowSpec(
        "gusto_941", "Download 941 tax forms", "gusto", "USER_DEFINED", "app.gusto.com",
        ("navigating_to_tax_documents", "selecting_quarter", "downloading_form_941"),
        (Output("report", "form_941_Q3_2026.pdf", "application/pdf", "pdf_941"), SHOT, LOG),
    ),
    WorkflowSpec(
        "rippling_payroll", "Export payroll register", "rippling", "USER_DEFINED", "app.rippling.com",
        ("opening_payroll_app", "filtering_pay_period", "extracting_payroll_register"),
        (Output("extracted_data", "payroll_register.csv", "text/csv", "payroll_csv"), SHOT, LOG),
    ),
    WorkflowSpec(
        "quickbooks_accounts", "Export chart of accounts", "quickbooks", "USER_DEFINED",
        "qbo.intuit.com",
        ("opening_chart_of_accounts", "extracting_account_balances"),
        (
            Output("extracted_data", "chart_of_accounts.xml", "application/xml", "accounts_xml"),
            Output("extracted_data", "accounts.json", "application/json", "employees_json"),
            LOG,
        ),
    ),
    WorkflowSpec(
        "adp_w2", "Download W-2 forms", "adp", "USER_DEFINED", "workforcenow.adp.com",
        ("opening_year_end_reports", "generating_w2_batch", "downloading_w2_forms"),
        (
            Output("report", "w2_forms_2026.pdf", "application/pdf", "pdf_w2"),
            Output("extracted_data", "session_archive.bin", "application/octet-stream", "blob"),
            LOG,
        ),
    ),
    WorkflowSpec(
        "toast_tips", "Export tip report", "toast", "USER_DEFINED", "www.toasttab.com",
        ("opening_labor_reports", "extracting_tip_report"),
        (Output("extracted_data", "tips_by_employee.csv", "text/csv", "payroll_csv"), SHOT, LOG),
    ),
)  # fmt: skip

# name, provider, workflow keys in execution order
JOBS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Gusto nightly sync", "gusto", ("gusto_login", "gusto_census", "gusto_941")),
    ("Rippling payroll close", "rippling", ("rippling_payroll",)),
    ("ADP year-end forms", "adp", ("adp_w2",)),
)

# Job-run outcomes, oldest first; each creates one workflow run per workflow in order.
JOB_RUN_PLAN: tuple[tuple[int, str], ...] = (
    (0, "COMPLETED"), (1, "COMPLETED"), (2, "COMPLETED"), (0, "FAILED"),
    (1, "COMPLETED"), (0, "COMPLETED"), (2, "FAILED"), (0, "IN_PROGRESS"),
    (1, "PENDING"),
)  # fmt: skip

# Standalone workflow runs: the first six cover every status on purpose.
STANDALONE_STATUSES = (
    "COMPLETED", "FAILED", "AWAITING_USER_INPUT", "COMPLETED_WITH_NO_ACTION_TAKEN",
    "IN_PROGRESS", "PENDING",
)  # fmt: skip
STANDALONE_RUNS = 24


def steps_json(spec: WorkflowSpec) -> dict[str, object]:
    """The workflow's ``stepsJson``: one browser step per state."""
    steps: list[dict[str, object]] = [
        {"name": spec.states[0], "action": "navigate", "url": f"https://{spec.host}/"}
    ]
    for state in spec.states[1:]:
        action = "extract" if "extract" in state else "download" if "download" in state else "click"
        steps.append({"name": state, "action": action, "timeoutMs": 30_000})
    return {"version": 2, "provider": spec.provider, "steps": steps}
