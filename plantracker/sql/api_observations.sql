-- api_observations: one row per observation of one plan, for api/<plan>/observations.json.
-- Exactly the columns of the package's data/observations.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    observation_id, indicator_id, region_id, year, value, unit_id, qualifier, kind,
    source_id, quote, note_zh, note_en
from observations
where plan_id = $plan_id
order by source_row
