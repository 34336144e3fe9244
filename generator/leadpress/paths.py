"""Where the package keeps the files it ships."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
SCAFFOLD_DIR = PACKAGE_DIR / "scaffold"
STYLESHEET = "assets/leadpress/leadpress.css"
