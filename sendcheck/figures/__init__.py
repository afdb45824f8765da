"""Figures from judged episodes: headline measures, backlog, caseload, trend, reporting periods and small-number suppression."""
