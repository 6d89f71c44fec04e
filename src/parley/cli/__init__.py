"""The `parley` command line: thin commands over the services. Rich lives only here."""
