"""Read-only PostgreSQL-wire SQL endpoint over the published warehouse copy (`python -m endpoint`)."""
