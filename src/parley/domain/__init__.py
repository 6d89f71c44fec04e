"""Pure domain model: no I/O, no web, no database. See README.md."""
