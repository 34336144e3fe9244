"""`python -m leadpress.leads`: the same commands as `leadpress leads`."""

from __future__ import annotations

from .cli import leads

leads(prog_name="leadpress leads")
