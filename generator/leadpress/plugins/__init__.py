"""MkDocs adapters: each plugin translates MkDocs events into calls to an engine-free module."""
