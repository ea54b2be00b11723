#!/usr/bin/env bash
# Installs the one-folder bundle with its desktop entry, AppStream metainfo and icons under a
# prefix (default ~/.local). Usage: packaging/linux/install.sh [PREFIX] [BUNDLE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix="${1:-$HOME/.local}"
bundle="${2:-$root/dist/artifact-viewer}"
app_id=com.anon.ArtifactViewer
icons="$root/src/artifact_viewer/resources/icons"

[ -x "$bundle/artifact-viewer" ] || {
  echo "No bundle at $bundle: run 'make package' first." >&2
  exit 1
}

# Copy into place beside the old copy, then swap, so a failed copy never leaves half a bundle.
mkdir -p "$prefix/lib" "$prefix/bin"
rm -rf "$prefix/lib/artifact-viewer.new"
cp -a "$bundle" "$prefix/lib/artifact-viewer.new"
rm -rf "$prefix/lib/artifact-viewer"
mv "$prefix/lib/artifact-viewer.new" "$prefix/lib/artifact-viewer"
ln -sfn "$prefix/lib/artifact-viewer/artifact-viewer" "$prefix/bin/artifact-viewer"

install -Dm644 "$here/$app_id.desktop" "$prefix/share/applications/$app_id.desktop"
install -Dm644 "$here/$app_id.metainfo.xml" "$prefix/share/metainfo/$app_id.metainfo.xml"
install -Dm644 "$icons/app.svg" "$prefix/share/icons/hicolor/scalable/apps/$app_id.svg"
for png in "$icons"/app-*.png; do
  size="$(basename "$png" .png)"
  size="${size#app-}"
  install -Dm644 "$png" "$prefix/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done

# Refresh the desktop's caches when the tools are there (they are optional).
command -v update-desktop-database >/dev/null && update-desktop-database -q "$prefix/share/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -qtf "$prefix/share/icons/hicolor" || true

echo "Installed artifact-viewer under $prefix (run: $prefix/bin/artifact-viewer)"
