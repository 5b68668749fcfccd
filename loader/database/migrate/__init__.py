"""The migration runner: sqlx-compatible files, ledger and locking."""
