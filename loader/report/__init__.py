"""Reports: diagnostics and their codes, the plan vocabulary, the Report and its reporters."""
