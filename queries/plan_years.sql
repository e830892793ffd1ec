-- The first and last year of the plans matching the oblast/municipality/year filters (null when none match).
select min(p.year) as first_year, max(p.year) as last_year
from plans p
where chosen($oblasts, p.oblast)
  and chosen($municipalities, municipality_value(p.municipality, p.municipality_code))
  and chosen($years, p.year)
