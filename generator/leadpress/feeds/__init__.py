"""RSS 2.0 and Atom feeds of the site's content."""
