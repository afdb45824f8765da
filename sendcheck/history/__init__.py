"""The run history (`--history PATH`): every nightly run kept in one SQLite file, and what changed."""
