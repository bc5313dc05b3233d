-- api_regions: one row per region of one plan, for api/<plan>/regions.json.
-- Exactly the columns of the package's data/regions.csv, in its order and row order (source_row), so
-- the API rows equal the package rows.
-- Parameters: $plan_id.
select
    region_id, name_zh, name_en, kind, member_of, tile_x, tile_y, note_zh, note_en
from regions
where plan_id = $plan_id
order by source_row
