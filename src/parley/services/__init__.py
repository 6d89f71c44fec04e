"""Use cases over the domain; adapters arrive through the Protocols in ports.py."""
