-- api_plans: one row per plan (all plans), for api/plans.json.
-- Titles, period and region come from each package's `plan` metadata (datapackage.json); the
-- region's names from its regions table. `descriptor` is the whole datapackage.json (json text),
-- used for the Table Schema fields of each resource.
-- Parameters: none.
with plan_meta as (
    select
        p.plan_id,
        p.plan ->> '$.title.zh' as title_zh,
        p.plan ->> '$.title.en' as title_en,
        p.plan ->> '$.short_title.zh' as short_title_zh,
        p.plan ->> '$.short_title.en' as short_title_en,
        p.plan ->> '$.issuer.zh' as issuer_zh,
        p.plan ->> '$.issuer.en' as issuer_en,
        p.plan ->> '$.issued' as issued,
        (p.plan ->> '$.period_start')::integer as period_start,
        (p.plan ->> '$.period_end')::integer as period_end,
        p.plan ->> '$.region_id' as region_id,
        p.plan ->> '$.predecessor' as predecessor,
        p.plan ->> '$.source_id' as source_id,
        coalesce((p.plan ->> '$.order')::integer, 0) as plan_order,
        p.descriptor
    from plans as p
)

select
    pm.plan_id, pm.title_zh, pm.title_en, pm.short_title_zh, pm.short_title_en,
    pm.issuer_zh, pm.issuer_en, pm.issued, pm.period_start, pm.period_end,
    pm.region_id, r.name_zh as region_name_zh, r.name_en as region_name_en,
    pm.predecessor, pm.source_id, pm.descriptor
from plan_meta as pm
left join regions as r on r.plan_id = pm.plan_id and r.region_id = pm.region_id
order by pm.plan_order, pm.plan_id
