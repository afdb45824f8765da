"""Reading inputs: export files (CSV, Excel), header mapping, dates, SEN2 returns, into one typed episodes frame."""
