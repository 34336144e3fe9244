"""The lead service: accepts submissions of the forms in `forms.json`, stores them in SQLite
or PostgreSQL, forwards them to CRM webhooks and exports them.

`leadpress leads serve` runs it; `app.create_app` builds the ASGI app.
"""
