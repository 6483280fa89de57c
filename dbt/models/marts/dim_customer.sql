{#- Small (one row per customer): rebuilt in full each run, which also picks
    up blacklist changes. -#}
{{ config(materialized='table', indexes=[{'columns': ['customer_id'], 'unique': True}]) }}

select
    c.customer_id,
    c.home_city,
    c.home_latitude,
    c.home_longitude,
    c.favourite_category,
    b.entity_id is not null as is_blacklisted,
    coalesce(s.transaction_count, 0) as transaction_count,
    coalesce(s.total_amount, 0) as total_amount,
    s.avg_amount,
    s.stddev_amount,
    s.max_amount,
    s.first_transaction_at,
    s.last_transaction_at,
    coalesce(s.alert_count, 0) as alert_count,
    case
        when coalesce(s.transaction_count, 0) = 0 then 0
        else round(coalesce(s.alert_count, 0)::numeric / s.transaction_count, 6)
    end as alert_rate,
    c.created_at,
    {{ load_stamp() }} as loaded_at
from {{ source('bronze', 'customers') }} as c
left join {{ ref('int_customer_stats') }} as s using (customer_id)
left join {{ source('bronze', 'blacklist') }} as b
    on b.entity_type = 'customer' and b.entity_id = c.customer_id
