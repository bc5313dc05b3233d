-- changes_figures: one row per figure (observation or target, keyed by plan_id + kind + id) that
-- was added, revised (value or unit differs) or removed between the previous release and this one.
-- Reads the tables `load` made for both releases: schema `main` (this one) and `previous`.
-- Values are as the source printed them, in their own unit (not converted). Labels come from the
-- release the figure is in (this one for added and revised figures, the previous one for removed).
-- Parameters: none.
with previous_figures as (
    select plan_id, 'observation' as kind, observation_id as figure_id, indicator_id, region_id,
           year, value, unit_id, source_id
    from previous.observations
    union all
    select plan_id, 'target' as kind, target_id as figure_id, indicator_id, region_id,
           target_year as year, value, unit_id, source_id
    from previous.targets
),

current_figures as (
    select plan_id, 'observation' as kind, observation_id as figure_id, indicator_id, region_id,
           year, value, unit_id, source_id
    from main.observations
    union all
    select plan_id, 'target' as kind, target_id as figure_id, indicator_id, region_id,
           target_year as year, value, unit_id, source_id
    from main.targets
),

compared as (
    select
        coalesce(c.plan_id, p.plan_id) as plan_id,
        coalesce(c.kind, p.kind) as kind,
        coalesce(c.figure_id, p.figure_id) as figure_id,
        case
            when p.figure_id is null then 'added'
            when c.figure_id is null then 'removed'
            when c.value is distinct from p.value or c.unit_id is distinct from p.unit_id then 'revised'
        end as change,
        p.indicator_id as old_indicator_id, p.region_id as old_region_id, p.year as old_year,
        p.value as old_value, p.unit_id as old_unit_id, p.source_id as old_source_id,
        c.indicator_id as new_indicator_id, c.region_id as new_region_id, c.year as new_year,
        c.value as new_value, c.unit_id as new_unit_id, c.source_id as new_source_id
    from current_figures as c
    full outer join previous_figures as p
        on p.plan_id = c.plan_id and p.kind = c.kind and p.figure_id = c.figure_id
),

changed as (
    select * from compared where change is not null
),

labelled as (
    select
        ch.change, ch.kind, ch.plan_id, ch.figure_id,
        coalesce(np.plan ->> '$.short_title.zh', pp.plan ->> '$.short_title.zh') as plan_zh,
        coalesce(np.plan ->> '$.short_title.en', pp.plan ->> '$.short_title.en') as plan_en,
        coalesce(ch.new_year, ch.old_year) as year,
        coalesce(ni.name_zh, pi.name_zh) as indicator_zh,
        coalesce(ni.name_en, pi.name_en) as indicator_en,
        coalesce(nr.name_zh, pr.name_zh) as region_zh,
        coalesce(nr.name_en, pr.name_en) as region_en,
        ch.old_value, ch.old_unit_id, pu.label_zh as old_unit_zh, pu.label_en as old_unit_en,
        ch.new_value, ch.new_unit_id, nu.label_zh as new_unit_zh, nu.label_en as new_unit_en,
        ch.old_source_id, ps.title as old_source_title, ps.url as old_source_url,
        ch.new_source_id, ns.title as new_source_title, ns.url as new_source_url
    from changed as ch
    left join main.plans as np on np.plan_id = ch.plan_id
    left join previous.plans as pp on pp.plan_id = ch.plan_id
    left join main.indicators as ni on ni.plan_id = ch.plan_id and ni.indicator_id = ch.new_indicator_id
    left join previous.indicators as pi on pi.plan_id = ch.plan_id and pi.indicator_id = ch.old_indicator_id
    left join main.regions as nr on nr.plan_id = ch.plan_id and nr.region_id = ch.new_region_id
    left join previous.regions as pr on pr.plan_id = ch.plan_id and pr.region_id = ch.old_region_id
    left join main.units as nu on nu.plan_id = ch.plan_id and nu.unit_id = ch.new_unit_id
    left join previous.units as pu on pu.plan_id = ch.plan_id and pu.unit_id = ch.old_unit_id
    left join main.sources as ns on ns.plan_id = ch.plan_id and ns.source_id = ch.new_source_id
    left join previous.sources as ps on ps.plan_id = ch.plan_id and ps.source_id = ch.old_source_id
)

select
    change, kind, plan_id, plan_zh, plan_en, figure_id, year,
    indicator_zh, indicator_en, region_zh, region_en,
    old_value, old_unit_id, old_unit_zh, old_unit_en,
    new_value, new_unit_id, new_unit_zh, new_unit_en,
    old_source_id, old_source_title, old_source_url,
    new_source_id, new_source_title, new_source_url
from labelled
order by
    case change when 'added' then 1 when 'revised' then 2 else 3 end,
    plan_id, kind, figure_id
