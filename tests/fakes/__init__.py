"""In-memory fakes of the ports in `parley/services/ports.py`, so the services' rules run
without a database as well as on SQLite and PostgreSQL.

`vault.FakeVault` is the confidential store (accounts, workspaces, invitations, keys, audit),
`case_base.FakeCaseBase` the case base's revisions and stored evaluations. mypy checks them
against the Protocols (`vault._conforms`, and every service built on them in the tests);
tests/services/test_ports.py holds the fakes and the SQL stores to one contract: versions,
uniqueness, not-found errors, all-or-nothing writes.
"""
