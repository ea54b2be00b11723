"""SVG icons (and the app icon rendered to PNG) shipped with the package."""
