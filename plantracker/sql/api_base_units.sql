-- api_base_units: one row per plan x dimension: the unit whose factor is 1 (the dimension's base
-- unit: tonne, yuan, count, percent, m3, mu), in which target_progress.sql states every value.
-- Parameters: $plan_id.
select
    dimension,
    min(unit_id) as unit_id
from units
where plan_id = $plan_id and factor = 1
group by dimension
order by dimension
