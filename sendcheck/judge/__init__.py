"""Judging: the rule files, time-limit arithmetic, derived dates, the engine that gives every (rule, episode) one status, and the data-quality checks."""
