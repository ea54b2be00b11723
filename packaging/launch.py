"""Entry point of the frozen bundle: the same command line as the installed `artifact-viewer`."""

from artifact_viewer.cli import main

if __name__ == "__main__":
    main()
