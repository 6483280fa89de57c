{{
    config(
        unique_key='transaction_id',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['transaction_id'], 'unique': True},
            {'columns': ['ingested_at']},
            {'columns': ['loaded_at']},
        ],
    )
}}

select
    transaction_id,
    customer_id,
    store_id,
    amount,
    currency,
    event_time,
    (event_time at time zone 'UTC')::date as event_date,
    date_trunc('hour', event_time at time zone 'UTC') as event_hour,
    channel,
    category,
    schema_version,
    fraud_label,
    fraud_label is not null as is_labelled_fraud,
    latitude,
    longitude,
    source_partition,
    source_offset,
    ingested_at,
    {{ load_stamp() }} as loaded_at
from {{ source('bronze', 'raw_transactions') }}
where {{ settled_bronze() }}
