"""Views of an audit: findings, the terminal table, JSON, CSV, Markdown, the workbook, rule help and one case explained."""
