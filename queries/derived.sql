-- Summary tables computed at the end of every build from the loaded tables (etl/load.py derive()).
-- The dashboard reads them instead of aggregating every item per request. Each statement replaces
-- its table, so an incremental build (a copy of the previous database) recomputes them.
select 1;
