"""Entry point of the frozen bundle: the same command line as the installed `artifact-viewer`."""

import runpy
import sys

# The app starts helpers as `sys.executable -m artifact_viewer.<module> ...` (the --demo
# server runs in a child process). Frozen, sys.executable is this program, so it answers
# `-m` for the app's own modules the way the interpreter would.
_OWN_PACKAGE = "artifact_viewer."


def _run_module(argv: list[str]) -> bool:
    if len(argv) < 3 or argv[1] != "-m" or not argv[2].startswith(_OWN_PACKAGE):
        return False
    sys.argv = [argv[2], *argv[3:]]
    runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    return True


if __name__ == "__main__":
    if not _run_module(sys.argv):
        from artifact_viewer.cli import main

        main()
