# Shortcuts for the README's commands.
.PHONY: run test setup bench docs
run:
	scripts/run
test:
	scripts/test
setup:
	scripts/setup
docs:
	.venv/bin/python -m parley.knowledge.docs docs
bench:
	.venv/bin/python bench/cases.py
