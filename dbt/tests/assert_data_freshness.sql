{#- The newest transaction in silver was ingested within the last
    `freshness_error_hours`: the streaming path and dbt_staging are running.
    Returns one row (the stale watermark) when they are not. -#}
{{ config(severity='error') }}

select
    max(ingested_at) as newest_ingested_at,
    now() - max(ingested_at) as age,
    'no transaction ingested in the last {{ var("freshness_error_hours") }} hours' as problem
from {{ ref('stg_transactions') }}
having max(ingested_at) is null
    or max(ingested_at) < now() - make_interval(hours => {{ var('freshness_error_hours') }})
