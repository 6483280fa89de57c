{{ config(materialized='table', indexes=[{'columns': ['store_id'], 'unique': True}]) }}

select
    s.store_id,
    s.city,
    s.latitude,
    s.longitude,
    s.category,
    s.online as is_online,
    b.entity_id is not null as is_blacklisted,
    s.created_at,
    {{ load_stamp() }} as loaded_at
from {{ source('bronze', 'stores') }} as s
left join {{ source('bronze', 'blacklist') }} as b
    on b.entity_type = 'store' and b.entity_id = s.store_id
