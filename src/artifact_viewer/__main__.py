"""`python -m artifact_viewer` runs the command line."""

from artifact_viewer.cli import main

if __name__ == "__main__":
    main()
