"""CLI start-up: subcommands load on first use, and opening the window imports none of them."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
from click.testing import CliRunner

import artifact_viewer.commands
from artifact_viewer.cli import COMMAND_MODULES, cli


def test_every_registered_subcommand_is_known_to_the_lazy_table() -> None:
    registered: dict[str, str] = {}
    for info in pkgutil.iter_modules(artifact_viewer.commands.__path__):
        module = importlib.import_module(f"artifact_viewer.commands.{info.name}")
        if not hasattr(module, "register"):
            continue
        group = click.Group()
        module.register(group)
        registered.update(dict.fromkeys(group.commands, info.name))
    assert registered == COMMAND_MODULES


def test_help_lists_every_subcommand() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1]
    for name in COMMAND_MODULES:
        assert f"  {name} " in listed


def test_a_subcommand_runs_through_the_lazy_group() -> None:
    result = CliRunner().invoke(cli, ["demo-server", "--help"])
    assert result.exit_code == 0 and "stand-in" in result.output


def test_importing_the_cli_leaves_http_and_the_stand_in_server_unloaded() -> None:
    code = (
        "import sys, artifact_viewer.cli; "
        "print(sorted(m for m in ('httpx', 'rich', 'uvicorn', 'keyring', 'PySide6') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
