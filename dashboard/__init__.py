"""The Dash dashboard: reads the plans database built by the ETL (read-only) and shows it."""
