"""`leadpress import`: existing articles (web pages, WeChat articles, WordPress exports, plain
text) into Leadpress Markdown files with front matter."""
