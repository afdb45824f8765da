"""Synthetic data (never real): case-management exports, review histories and SEN2 returns."""
