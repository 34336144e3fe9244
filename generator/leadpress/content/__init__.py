"""The content model: front matter into typed pages, and the site they make together."""
