"""Stage 4, records → tables: a plan's records as the rows of the database's tables (rows.py), written
into a new DuckDB file that replaces the old one only when complete (write.py)."""
