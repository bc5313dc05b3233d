-- api_sites: one row per named site of one plan, for api/<plan>/sites.json.
-- Exactly the columns of the package's data/sites.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    site_id, name_zh, name_en, region_id, city_zh, city_en, kind_zh, kind_en, target_id,
    named_in_plan, year, source_id, quote, note_zh, note_en
from sites
where plan_id = $plan_id
order by source_row
