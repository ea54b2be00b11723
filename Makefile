# artifact-viewer: every target installs what it needs into .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PKGS := xvfb xauth libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 \
	libxkbcommon-x11-0 libdbus-1-3 libglib2.0-0 libgssapi-krb5-2 libxcb-cursor0 \
	libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
	libxcb-shape0 libxcb-xkb1 libx11-xcb1 fonts-dejavu-core fonts-wqy-microhei tesseract-ocr

.PHONY: all run demo test lint types arch pytest bench bench-smoke screenshot package package-check clean sysdeps venv

all: test

sysdeps:
	@bash scripts/sysdeps.sh $(APT_PKGS)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: sysdeps $(STAMP)

run: venv
	$(BIN)/artifact-viewer --demo

demo: venv
	$(BIN)/artifact-viewer demo-server

lint: venv
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

types: venv
	$(BIN)/mypy

arch: venv
	$(BIN)/lint-imports

pytest: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

test: lint types arch pytest

bench: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.run
	$(BIN)/python -m bench.readme

bench-smoke: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench.run --smoke

screenshot: venv
	$(BIN)/python scripts/screenshot.py docs/screenshot.png

# One-folder bundle in dist/artifact-viewer (PyInstaller; see packaging/README.md).
package: venv
	$(BIN)/python -m pip install -q 'pyinstaller>=6.10,<7'
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/artifact-viewer.spec
	@echo "Bundle: dist/artifact-viewer ($$(du -sh dist/artifact-viewer | cut -f1))"

# Builds the bundle, then runs the frozen binary headless (--demo --smoke) and checks it.
package-check: package
	@bash scripts/sysdeps.sh desktop-file-utils appstream
	bash packaging/smoke.sh dist/artifact-viewer

clean:
	rm -rf build dist .mypy_cache .ruff_cache
