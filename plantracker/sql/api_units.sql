-- api_units: one row per unit of one plan, for api/<plan>/units.json.
-- Exactly the columns of the package's data/units.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    unit_id, dimension, factor, label_zh, label_en, display_zh, display_en
from units
where plan_id = $plan_id
order by source_row
