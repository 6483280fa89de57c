{{
    config(
        unique_key='alert_id',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['alert_id'], 'unique': True},
            {'columns': ['ingested_at']},
            {'columns': ['loaded_at']},
        ],
    )
}}

select
    alert_id,
    transaction_id,
    customer_id,
    store_id,
    amount,
    currency,
    event_time,
    (event_time at time zone 'UTC')::date as event_date,
    detected_at,
    extract(epoch from detected_at - event_time)::double precision as detection_delay_seconds,
    rules_score,
    ml_score,
    blended_score,
    alpha,
    threshold,
    model_version,
    (
        select coalesce(array_agg(hit ->> 'rule_id' order by hit ->> 'rule_id'), '{}')
        from jsonb_array_elements(rule_hits) as hit
    ) as rule_ids,
    jsonb_array_length(rule_hits) as rule_hit_count,
    schema_version,
    ingested_at,
    {{ load_stamp() }} as loaded_at
from {{ source('bronze', 'raw_fraud_alerts') }}
where {{ settled_bronze() }}
