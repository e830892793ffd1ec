-- Plans to choose from on the coverage page (those matching the oblast/municipality/year filters).
select plan_id, municipality, year, municipality_code
from plans
where chosen($oblasts, oblast)
  and chosen($municipalities, municipality)
  and chosen($years, year)
order by municipality, year
