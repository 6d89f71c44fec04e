"""In-memory fakes of the ports in `parley/services/ports.py`, so the services' rules run
without a database as well as on SQLite and PostgreSQL.

`vault.FakeVault` is the confidential store, one area per module: accounts, workspaces (items
and members), invitations, keys, audit, saved scenarios (`scenarios`), indicator series
(`indicators`) and the case base's rows (`cases.FakeCases`, with `cases.FakeCaseStore` for the
reads on what the vault has committed: `FakeVault.case_store()`). `case_base.FakeCaseBase` is
the case base's revisions and stored evaluations. mypy checks them against the Protocols
(`vault._conforms`, and every service built on them in the tests);
tests/services/test_ports.py holds the fakes and the SQL stores to one contract: versions,
uniqueness, not-found errors, all-or-nothing writes.

Kept on the databases, because a fake would have to reimplement them and would prove nothing
about the real ones: full-text search, facets and paged listings of cases
(`FakeCaseStore.list_cases`), encryption and sealed rows (tampering tests), master keys and
their rotation, and the audit log's signed head (`FakeAudit.chain_seal`).
"""
