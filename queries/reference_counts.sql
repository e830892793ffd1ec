-- Size of the reference data and build facts: is EKATTE loaded, when was the database built, is it synthetic,
-- which queries/derived.sql made its summary tables and macros.
select
    (select count(*) from municipalities) as municipalities,
    (select count(*) from settlements) as settlements,
    (select count(*) from plans) as plans,
    (select count(distinct municipality) from plans) as loaded_municipalities,
    (select max(value) from build_info where key in ('built_at', 'build_time', 'time')) as built_at,
    coalesce((select max(value) from build_info where key = 'synthetic') = 'true', false) as synthetic,
    (select max(value) from build_info where key = 'derived_sha256') as derived_sha256
