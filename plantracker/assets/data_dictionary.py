"""The data package contract in words, zh and en: resource and field descriptions for the downloads.

These describe the contract in ARCHITECTURE.md (the same for every plan), not any plan. A field's
own `description` in datapackage.json, where present, is shown beside them.
"""
from __future__ import annotations

RESOURCES: dict[str, tuple[str, str]] = {
    "units": ("计量单位及其换算系数", "Units and their factor to the dimension's base unit"),
    "regions": ("地区：省份、计划区域、全国", "Regions: provinces, plan regions, national"),
    "indicators": ("指标：衡量什么、以什么单位比较", "Indicators: what is measured and in which unit"),
    "targets": ("计划设定的目标", "Targets set by the plan"),
    "observations": ("报告数值、基线数值和背景数值", "Reported, baseline and context figures"),
    "sites": ("计划点名的地点（工厂、场站等）", "Named sites (plants, depots) and the target they serve"),
    "sources": ("每个数字的来源", "The source of every figure"),
}

_COMMON = {
    "name_zh": ("中文名称", "Name in Chinese"),
    "name_en": ("英文名称", "Name in English"),
    "note_zh": ("中文备注", "Note in Chinese"),
    "note_en": ("英文备注", "Note in English"),
    "region_id": ("地区编号（见 regions 表）", "Region id (see regions)"),
    "indicator_id": ("指标编号（见 indicators 表）", "Indicator id (see indicators)"),
    "unit_id": ("单位编号（见 units 表）", "Unit id (see units)"),
    "source_id": ("来源编号（见 sources 表）", "Source id (see sources)"),
    "quote": ("来源中包含该数字的原文", "The source's words containing the figure"),
}

FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "units": {
        "unit_id": ("单位编号", "Unit id"),
        "dimension": ("量纲：mass 质量、money 金额、count 个数、share 比例、volume 体积、area 面积",
                      "Dimension: mass, money, count, share, volume or area"),
        "factor": ("换算为该量纲基本单位（吨、元、1、百分比、立方米、亩）的系数",
                   "Factor to the dimension's base unit (tonne, yuan, 1, percent, m3, mu)"),
        "label_zh": ("中文单位名", "Unit label in Chinese"),
        "label_en": ("英文单位名", "Unit label in English"),
        "display_zh": ("中文页面是否用该单位显示数字", "Offered when formatting numbers in Chinese"),
        "display_en": ("英文页面是否用该单位显示数字", "Offered when formatting numbers in English"),
    },
    "regions": {
        "region_id": ("地区编号（省份如 CN-BJ，全国 CN）", "Region id (provinces like CN-BJ, national CN)"),
        "kind": ("类型：province 省份、plan_region 计划区域、subregion 分区、national 全国",
                 "Kind: province, plan_region, subregion or national"),
        "member_of": ("所属计划区域（可为空）", "The plan region it belongs to (may be empty)"),
        "tile_x": ("示意地图中的列", "Column in the schematic tile map"),
        "tile_y": ("示意地图中的行", "Row in the schematic tile map"),
    },
    "indicators": {
        "indicator_id": ("指标编号", "Indicator id"),
        "definition_zh": ("中文定义", "Definition in Chinese"),
        "definition_en": ("英文定义", "Definition in English"),
        "unit_id": ("比较时使用的单位（见 units 表）", "Unit in which comparisons are made (see units)"),
        "plan_wording_zh": ("计划原文的表述", "How the plan words it (Chinese)"),
        "comparable_to": ("相关但口径不同的目标指标（可为空）",
                          "The target indicator this series relates to though not the same series"),
        "comparability_zh": ("可比或不可比的原因（中文）", "Why it is or is not comparable (Chinese)"),
        "comparability_en": ("可比或不可比的原因（英文）", "Why it is or is not comparable (English)"),
        "concept": ("跨计划共用的概念键：相同概念的目标并列比较",
                    "Key shared across plans by indicators measuring the same thing"),
    },
    "targets": {
        "target_id": ("目标编号", "Target id"),
        "target_year": ("目标年份", "Target year"),
        "comparison": ("比较方式：at_least 不少于、more_than 超过、about 约、at_most 不超过、less_than 低于",
                       "Comparison: at_least, more_than, about, at_most or less_than"),
        "value": ("目标数值（以 unit_id 为单位）", "Target value (in unit_id)"),
        "baseline_year": ("基线年份（仅当来源给出同口径基线）", "Baseline year (only where a source states one)"),
        "baseline_value": ("基线数值", "Baseline value"),
        "baseline_unit_id": ("基线单位（见 units 表）", "Baseline unit (see units)"),
        "baseline_source_id": ("基线来源（见 sources 表）", "Source of the baseline (see sources)"),
        "headline": ("是否为主要目标", "Whether it is a headline target"),
        "wording_zh": ("计划原文", "The plan's own words"),
        "summary_en": ("英文概述", "Summary in English"),
    },
    "observations": {
        "observation_id": ("数值编号", "Observation id"),
        "year": ("年份", "Year"),
        "value": ("数值（以 unit_id 为单位）", "Value (in unit_id)"),
        "qualifier": ("限定：about 约、more_than 超过、less_than 低于、expected 预计（可为空）",
                      "Qualifier: about, more_than, less_than or expected (may be empty)"),
        "kind": ("类型：reported 报告数、baseline 基线、context 背景", "Kind: reported, baseline or context"),
    },
    "sites": {
        "site_id": ("地点编号", "Site id"),
        "region_id": ("所在省份（见 regions 表）", "Province (see regions)"),
        "city_zh": ("城市（中文）", "City in Chinese"),
        "city_en": ("城市（英文）", "City in English"),
        "kind_zh": ("类型（中文）", "Kind in Chinese"),
        "kind_en": ("类型（英文）", "Kind in English"),
        "target_id": ("服务的目标（可为空）", "The target it serves (may be empty)"),
        "named_in_plan": ("是否在计划中点名", "Whether the plan names it"),
        "year": ("年份（可为空）", "Year (may be empty)"),
    },
    "sources": {
        "source_id": ("来源编号", "Source id"),
        "title": ("标题", "Title"),
        "publisher": ("发布者", "Publisher"),
        "url": ("网址", "URL"),
        "published": ("发布日期", "Date published"),
        "accessed": ("访问日期（研究未记录时为空）", "Date accessed (empty where not recorded)"),
        "authority": ("性质：official 官方、state_media 官方媒体、reprint 转载、secondary 二手、other 其他",
                      "Authority: official, state_media, reprint, secondary or other"),
        "reprint_of": ("转载自哪个来源（见 sources 表）", "The source it reprints (see sources)"),
        "original": ("原始出处（已知时）", "The original publication, where known"),
        "language": ("语言", "Language"),
        "note": ("备注", "Note"),
    },
}


def describe_resource(resource: str) -> tuple[str, str]:
    """Resource name -> (zh, en) description; empty strings for a resource the contract lacks."""
    return RESOURCES.get(resource, ("", ""))


def describe_field(resource: str, field: str) -> tuple[str, str]:
    """Resource and field name -> (zh, en) description; empty strings for a field the contract lacks."""
    return FIELDS.get(resource, {}).get(field) or _COMMON.get(field, ("", ""))
