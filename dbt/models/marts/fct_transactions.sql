{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['transaction_id'], 'unique': True},
            {'columns': ['ingested_at']},
            {'columns': ['loaded_at']},
            {'columns': ['event_hour']},
            {'columns': ['event_date']},
        ],
    )
}}

select
    transaction_id,
    customer_id,
    store_id,
    event_time,
    event_date,
    event_hour,
    amount,
    currency,
    channel,
    category,
    is_labelled_fraud,
    ingested_at,
    {{ load_stamp() }} as loaded_at
from {{ ref('stg_transactions') }}
where {{ newer_than_loaded() }}
