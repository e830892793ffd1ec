"""ETL for municipal annual social-services plans: extract → parse → normalise → load."""

__version__ = "0.1.0"
