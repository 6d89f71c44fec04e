"""The `parley` command line: thin commands over the services. Rich lives only here.

Role: parse arguments, call one service, print (Rich tables for people, JSON on request) and
map errors to exit codes (2 bad input, 1 other) in `errors.py`. Commands load lazily
(`main.py`), so `parley --help` imports none of them. Business rules, audit entries and file
formats belong to services and interchange, not here. The contract it keeps: docs/interfaces.md.
"""
