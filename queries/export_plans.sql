-- Export contract: plans.csv — one row per plan document.
select plan_id, municipality, oblast, year, source_file, items
from plans
order by municipality, year
