"""Site search: a Pagefind index of the built site, segmented for Chinese, and its search box.

Kept apart from MkDocs (the engine may change, see DESIGN.md): `indexing` runs Pagefind over
a built folder, `page` decides what a page contributes and adds the search box to its HTML.
"""
