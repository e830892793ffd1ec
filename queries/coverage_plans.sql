-- Plans to choose from on the coverage page (those matching the oblast/municipality/year filters).
select plan_id, municipality, year, municipality_code
from plans
where (len($oblasts) = 0 or list_contains($oblasts, oblast))
  and (len($municipalities) = 0 or list_contains($municipalities, municipality))
  and (len($years) = 0 or list_contains($years, year))
order by municipality, year
