"""Saved work in a database (SQLite locally, PostgreSQL in deployment): schema, engine and repositories
of scenarios, plans and audit. Imports the wings below it.
"""
