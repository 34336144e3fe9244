"""Machine-readable descriptions of pages: head tags, structured data, sitemap, cards, audit."""
