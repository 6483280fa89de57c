{#- Fraud alerts against traffic per UTC day. Days with new transactions or
    new alerts are recomputed from the facts. -#}
{{
    config(
        materialized='incremental',
        unique_key='activity_date',
        incremental_strategy='delete+insert',
    )
}}

with touched as (
    select event_date from {{ ref('fct_transactions') }}
    where {{ newer_than_loaded('ingested_at', 'last_ingested_at') }}
    union
    select event_date from {{ ref('fct_fraud_alerts') }}
    where {{ newer_than_loaded('ingested_at', 'last_ingested_at') }}
),

traffic as (
    select
        f.event_date,
        count(*) as transaction_count,
        sum(f.amount) as total_amount,
        max(f.ingested_at) as last_ingested_at
    from {{ ref('fct_transactions') }} as f
    {{ touched_only('f.event_date') }}
    group by f.event_date
),

alerts as (
    select
        a.event_date,
        count(*) as alert_count,
        sum(a.amount) as alerted_amount,
        round(avg(a.blended_score)::numeric, 6) as avg_blended_score,
        count(*) filter (where 'FR-001' = any(a.rule_ids)) as fr_001_hits,
        count(*) filter (where 'FR-002' = any(a.rule_ids)) as fr_002_hits,
        count(*) filter (where 'FR-003' = any(a.rule_ids)) as fr_003_hits,
        count(*) filter (where 'FR-004' = any(a.rule_ids)) as fr_004_hits,
        count(*) filter (where 'FR-005' = any(a.rule_ids)) as fr_005_hits,
        max(a.ingested_at) as last_ingested_at
    from {{ ref('fct_fraud_alerts') }} as a
    {{ touched_only('a.event_date') }}
    group by a.event_date
)

select
    coalesce(t.event_date, a.event_date) as activity_date,
    coalesce(t.transaction_count, 0) as transaction_count,
    coalesce(t.total_amount, 0) as total_amount,
    coalesce(a.alert_count, 0) as alert_count,
    coalesce(a.alerted_amount, 0) as alerted_amount,
    case
        when coalesce(t.transaction_count, 0) = 0 then null
        else round(coalesce(a.alert_count, 0)::numeric / t.transaction_count, 6)
    end as alert_rate,
    a.avg_blended_score,
    coalesce(a.fr_001_hits, 0) as fr_001_hits,
    coalesce(a.fr_002_hits, 0) as fr_002_hits,
    coalesce(a.fr_003_hits, 0) as fr_003_hits,
    coalesce(a.fr_004_hits, 0) as fr_004_hits,
    coalesce(a.fr_005_hits, 0) as fr_005_hits,
    greatest(t.last_ingested_at, a.last_ingested_at) as last_ingested_at,
    {{ load_stamp() }} as loaded_at
from traffic as t
full outer join alerts as a using (event_date)
