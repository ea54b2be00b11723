#!/usr/bin/env bash
# Smoke-tests the frozen bundle: its contents, the CLI, the demo server and a headless window
# that opens one artifact of each kind and quits. Usage: packaging/smoke.sh [dist/artifact-viewer]
set -euo pipefail
cd "$(dirname "$0")/.."

BUNDLE="${1:-dist/artifact-viewer}"
BIN="$BUNDLE/artifact-viewer"
[ -f "$BIN.exe" ] && BIN="$BIN.exe" # Windows
SMOKE_TIMEOUT="${SMOKE_TIMEOUT:-240}"
# Lines on stderr that mean trouble. Qt's own warnings go to the log file, not stderr, so
# nothing is tolerated here: a font or plugin complaint on stderr is a packaging bug.
ERROR_LINES='error|traceback|critical|fatal|exception'

passed=0
ok() {
  passed=$((passed + 1))
  echo "smoke: ok: $*"
}
fail() {
  echo "smoke: FAIL: $*" >&2
  echo "smoke: $passed passed, 1 failed"
  exit 1
}

[ -x "$BIN" ] || fail "no bundle at $BUNDLE (run 'make package' first)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A fresh home for config, cache and logs; never the keyring or the key of whoever runs this.
export ARTIFACT_VIEWER_HOME="$work/home"
export QT_QPA_PLATFORM=offscreen
export PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring
unset ANON_API_KEY ANON_BASE_URL

# run NAME TIMEOUT CMD...: runs CMD, fails on a non-zero exit or an error line on stderr.
run() {
  local name="$1" limit="$2"
  shift 2
  local out="$work/$name.out" err="$work/$name.err" rc=0
  timeout --kill-after=10 "$limit" "$@" >"$out" 2>"$err" || rc=$?
  if [ "$rc" -ne 0 ] || grep -qiE "$ERROR_LINES" "$err"; then
    echo "--- $name: exit $rc; stderr:" >&2
    cat "$err" >&2
    if [ -f "$ARTIFACT_VIEWER_HOME/logs/artifact-viewer.log" ]; then
      echo "--- last lines of the app log:" >&2
      tail -n 40 "$ARTIFACT_VIEWER_HOME/logs/artifact-viewer.log" >&2
    fi
    [ "$rc" -eq 124 ] && fail "$name did not finish within ${limit}s"
    fail "$name"
  fi
  ok "$name"
}

# 1. Contents: icons and py.typed ride along, QtPdf is there, the Qt we excluded is not.
internal="$BUNDLE/_internal"
for f in artifact_viewer/resources/icons/app.svg artifact_viewer/resources/icons/app-256.png \
  artifact_viewer/py.typed; do
  [ -f "$internal/$f" ] || fail "missing from the bundle: $f"
done
find "$internal" -name 'libQt6Pdf.so*' -o -name 'Qt6Pdf.dll' -o -name 'QtPdf' | grep -q . \
  || fail "QtPdf is not in the bundle"
unwanted="$(find "$internal" \( -iname '*WebEngine*' -o -iname '*Qt6Qml*' -o -iname '*Qt6Quick*' \
  -o -iname '*Qt63D*' -o -iname '*Qt6Multimedia*' \) -print | head -n 5)"
[ -z "$unwanted" ] || fail "unused Qt modules were bundled: $unwanted"
ok contents

# 2. The command line answers.
run version 60 "$BIN" --version
grep -q "artifact-viewer, version" "$work/version.out" || fail "--version printed: $(cat "$work/version.out")"

# 3. The stand-in server runs frozen (uvicorn, starlette, reportlab) and the client lists from it.
run demo-ls 120 "$BIN" --demo ls artifacts
[ "$(grep -c . "$work/demo-ls.out")" -gt 1 ] || fail "'--demo ls artifacts' listed nothing"

# 3b. Compare runs frozen: tables whose rows moved (matched by key with pyarrow's join) and
# PDFs (pypdfium2 and its PDFium library); diff exits 1 when the files differ.
printf 'id,pay\n1,10\n2,20\n3,30\n' >"$work/a.csv"
printf 'id,pay\n3,30\n2,25\n1,10\n' >"$work/b.csv"
one_page_pdf() {
  printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n4 0 obj<</Length 40>>stream\nBT /F1 12 Tf 20 100 Td (%s) Tj ET\nendstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' "$2" >"$1"
}
one_page_pdf "$work/a.pdf" "Wages 1000"
one_page_pdf "$work/b.pdf" "Wages 1200"
for kind in csv pdf; do
  rc=0
  "$BIN" diff "$work/a.$kind" "$work/b.$kind" --json >"$work/diff-$kind.out" 2>"$work/diff-$kind.err" \
    || rc=$?
  if [ "$rc" -ne 1 ] || grep -qiE "$ERROR_LINES" "$work/diff-$kind.err"; then
    cat "$work/diff-$kind.err" >&2
    fail "diff of two ${kind} files exited $rc"
  fi
  ok "diff $kind"
done
grep -q '"cells":{"pay":\["20","25"\]}' "$work/diff-csv.out" || fail "diff csv: $(cat "$work/diff-csv.out")"
grep -q '"+Wages 1200"' "$work/diff-pdf.out" || fail "diff pdf: $(cat "$work/diff-pdf.out")"

# 4. The window, headless: one artifact of each kind fetched, verified and rendered, then quit.
run window-smoke "$SMOKE_TIMEOUT" "$BIN" --demo --smoke
cat "$work/window-smoke.out"

# 5. Desktop integration files, when the validators are installed.
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate packaging/linux/com.anon.ArtifactViewer.desktop || fail "desktop file"
  ok "desktop file"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net packaging/linux/com.anon.ArtifactViewer.metainfo.xml >/dev/null \
    || fail "AppStream metainfo"
  ok metainfo
fi

echo "smoke: bundle size $(du -sh "$BUNDLE" | cut -f1) ($BUNDLE)"
echo "smoke: $passed passed, 0 failed"
