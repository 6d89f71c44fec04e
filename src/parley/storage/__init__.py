"""The only package that touches the database (SQLAlchemy, Alembic, psycopg)."""
