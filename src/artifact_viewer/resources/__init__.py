"""Icons and other files shipped inside the package, read through importlib.resources."""
