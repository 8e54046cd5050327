"""Persistence: the SQLAlchemy engine, sessions and every ORM table."""
