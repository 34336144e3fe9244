"""Leadpress: Markdown into an SEO-tuned B2B marketing site that captures attributed leads."""

__version__ = "0.1.0"
