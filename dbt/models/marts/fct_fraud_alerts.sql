{{
    config(
        materialized='incremental',
        unique_key='alert_id',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['alert_id'], 'unique': True},
            {'columns': ['ingested_at']},
            {'columns': ['loaded_at']},
            {'columns': ['event_date']},
        ],
    )
}}

select
    alert_id,
    transaction_id,
    customer_id,
    store_id,
    event_time,
    event_date,
    detected_at,
    detection_delay_seconds,
    amount,
    currency,
    rules_score,
    ml_score,
    blended_score,
    threshold,
    model_version,
    rule_ids,
    rule_hit_count,
    ml_score is not null as ml_scored,
    ingested_at,
    {{ load_stamp() }} as loaded_at
from {{ ref('stg_fraud_alerts') }}
where {{ newer_than_loaded() }}
