-- changes_target_status: one row per target, present in both releases, whose status (from
-- target_progress.sql, run once against each release) differs between the previous release and
-- this one. Reads `previous_status` and `current_status` (plan_id, target_id, status) and the
-- attached database `current` for labels.
-- Parameters: none.
with status_pairs as (
    select
        c.plan_id, c.target_id,
        p.status as old_status,
        c.status as new_status
    from current_status as c
    join previous_status as p on p.plan_id = c.plan_id and p.target_id = c.target_id
    where p.status is distinct from c.status
),

labelled as (
    select
        sp.plan_id, pl.plan ->> '$.short_title.zh' as plan_zh, pl.plan ->> '$.short_title.en' as plan_en,
        sp.target_id, t.target_year,
        i.name_zh as indicator_zh, i.name_en as indicator_en,
        r.name_zh as region_zh, r.name_en as region_en,
        sp.old_status, sp.new_status
    from status_pairs as sp
    join current.targets as t on t.plan_id = sp.plan_id and t.target_id = sp.target_id
    left join current.plans as pl on pl.plan_id = sp.plan_id
    left join current.indicators as i on i.plan_id = t.plan_id and i.indicator_id = t.indicator_id
    left join current.regions as r on r.plan_id = t.plan_id and r.region_id = t.region_id
)

select
    plan_id, plan_zh, plan_en, target_id, target_year, indicator_zh, indicator_en, region_zh, region_en,
    old_status, new_status
from labelled
order by plan_id, target_id
