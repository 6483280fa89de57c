{#- Per-customer spending and alert statistics, maintained additively: each
    run folds in only the staging rows loaded since the last run (count, sum,
    sum of squares, extremes), so its cost follows the increment, not the
    history. Exact because a staging row enters the delta once: its
    ingested_at never changes (bronze upserts keep it) and the watermarks only
    move forward. Mean and standard deviation are derived from the sums. -#}
{{
    config(
        unique_key='customer_id',
        incremental_strategy='merge',
        indexes=[{'columns': ['customer_id'], 'unique': True}],
    )
}}

with new_transactions as (
    select
        customer_id,
        count(*) as transaction_count,
        sum(amount) as total_amount,
        sum(amount * amount) as total_amount_squared,
        max(amount) as max_amount,
        min(event_time) as first_transaction_at,
        max(event_time) as last_transaction_at,
        max(ingested_at) as transactions_ingested_at
    from {{ ref('stg_transactions') }}
    where {{ newer_than_loaded('ingested_at', 'transactions_ingested_at') }}
    group by customer_id
),

new_alerts as (
    select
        customer_id,
        count(*) as alert_count,
        max(event_time) as last_alert_at,
        max(ingested_at) as alerts_ingested_at
    from {{ ref('stg_fraud_alerts') }}
    where {{ newer_than_loaded('ingested_at', 'alerts_ingested_at') }}
    group by customer_id
),

delta as (
    select
        coalesce(t.customer_id, a.customer_id) as customer_id,
        coalesce(t.transaction_count, 0) as transaction_count,
        coalesce(t.total_amount, 0) as total_amount,
        coalesce(t.total_amount_squared, 0) as total_amount_squared,
        t.max_amount,
        t.first_transaction_at,
        t.last_transaction_at,
        t.transactions_ingested_at,
        coalesce(a.alert_count, 0) as alert_count,
        a.last_alert_at,
        a.alerts_ingested_at
    from new_transactions as t
    full outer join new_alerts as a using (customer_id)
),

folded as (
    select
        d.customer_id,
        {% if is_incremental() %}
        coalesce(o.transaction_count, 0) + d.transaction_count as transaction_count,
        coalesce(o.total_amount, 0) + d.total_amount as total_amount,
        coalesce(o.total_amount_squared, 0) + d.total_amount_squared as total_amount_squared,
        greatest(o.max_amount, d.max_amount) as max_amount,
        least(o.first_transaction_at, d.first_transaction_at) as first_transaction_at,
        greatest(o.last_transaction_at, d.last_transaction_at) as last_transaction_at,
        coalesce(o.alert_count, 0) + d.alert_count as alert_count,
        greatest(o.last_alert_at, d.last_alert_at) as last_alert_at,
        greatest(o.transactions_ingested_at, d.transactions_ingested_at) as transactions_ingested_at,
        greatest(o.alerts_ingested_at, d.alerts_ingested_at) as alerts_ingested_at
        {% else %}
        d.transaction_count,
        d.total_amount,
        d.total_amount_squared,
        d.max_amount,
        d.first_transaction_at,
        d.last_transaction_at,
        d.alert_count,
        d.last_alert_at,
        d.transactions_ingested_at,
        d.alerts_ingested_at
        {% endif %}
    from delta as d
    {% if is_incremental() %}
    left join {{ this }} as o using (customer_id)
    {% endif %}
)

select
    customer_id,
    transaction_count,
    total_amount,
    total_amount_squared,
    case when transaction_count > 0 then round(total_amount / transaction_count, 2) end
        as avg_amount,
    case
        when transaction_count > 1 then round(sqrt(greatest(
            (total_amount_squared - total_amount * total_amount / transaction_count)
            / (transaction_count - 1),
            0
        )), 2)
        when transaction_count = 1 then 0
    end as stddev_amount,
    max_amount,
    first_transaction_at,
    last_transaction_at,
    alert_count,
    last_alert_at,
    transactions_ingested_at,
    alerts_ingested_at,
    {{ load_stamp() }} as loaded_at
from folded
