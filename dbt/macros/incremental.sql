{#- Watermarks for incremental models. -#}

{#- Bronze rows a run may read: committed long enough ago that no writer's
    transaction with an earlier ingested_at can still be open, and (when
    incremental) newer than everything already loaded. Late events (old
    event_time, new ingested_at) are picked up like any other. -#}
{% macro settled_bronze(column='ingested_at') -%}
    {{ column }} <= now() - make_interval(secs => {{ var('ingest_settle_seconds') }})
    {%- if is_incremental() %}
    and {{ column }} > (select coalesce(max({{ column }}), '-infinity'::timestamptz) from {{ this }})
    {%- endif %}
{%- endmacro %}

{#- Rows of an upstream model loaded after this model's own watermark. -#}
{% macro newer_than_loaded(column='ingested_at', loaded_column='ingested_at') -%}
    {%- if is_incremental() -%}
    {{ column }} > (select coalesce(max({{ loaded_column }}), '-infinity'::timestamptz) from {{ this }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- Incremental runs: only rows whose `column` is in the CTE `touched`. An array,
    not a join: the planner then reads them through the column's index instead
    of hashing the whole fact table (what kept the hourly cost growing with it). -#}
{% macro touched_only(column) -%}
    {%- if is_incremental() -%}
    where {{ column }} = any(array(select {{ column.split('.')[-1] }} from touched))
    {%- endif -%}
{%- endmacro %}
