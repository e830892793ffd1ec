-- /admin: the loaded plans of a municipality and year (the plan an upload would replace); one of each is passed.
select plan_id, source_file, source_sha256
from plans
where list_contains($municipalities, municipality) and list_contains($years, year)
order by plan_id
