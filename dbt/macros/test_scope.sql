{#- How much of a model its generic tests read.

    Tests configured `where: __last_load__` (dbt_project.yml: every generic test of
    the staging, intermediate and mart models) read only the rows the model's last
    run wrote when `var('test_scope')` is `last_load`: every row a run inserts or
    updates carries that run's `loaded_at` (`load_stamp()`), so the newest
    `loaded_at` is exactly the last load (the column is indexed on the large models).
    The hourly DAGs build with `test_scope: last_load`, so their tests cost what the
    increment costs; `dbt_quality` and a plain `dbt build` use the default `all` and
    test whole tables. A row-level test (not_null, accepted_values, ranges,
    relationships) of the last load is the full test of what changed; `unique` over
    the last load checks the batch, while the merge on the same key and its unique
    index keep old and new rows apart, and dbt_quality re-checks whole tables.

    Singular tests scope themselves with `last_load(...)`.

    Overrides dbt's `get_where_subquery` through adapter dispatch, as dbt's
    documentation of the `where` config describes; any other `where` keeps dbt's
    behaviour. -#}
{% macro postgres__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where == '__last_load__' -%}
        {%- do return(last_load(relation) ~ ' dbt_subquery' if test_scope() == 'last_load' else relation) -%}
    {%- elif where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- `relation`, or only its last load when the run tests the last load (singular
    tests use it directly: `from {{ last_load(ref('...')) }} as t`). -#}
{% macro last_load(relation) -%}
    {%- if test_scope() == 'last_load' -%}
        (select * from {{ relation }} where loaded_at = (select max(loaded_at) from {{ relation }}))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- var('test_scope'), checked. -#}
{% macro test_scope() -%}
    {%- set scope = var('test_scope') -%}
    {%- if scope not in ['all', 'last_load'] -%}
        {{ exceptions.raise_compiler_error("var test_scope must be 'all' or 'last_load', got '" ~ scope ~ "'") }}
    {%- endif -%}
    {{- scope -}}
{%- endmacro %}

{#- The `loaded_at` of every row a run writes: the run's start, one value per dbt
    invocation. -#}
{% macro load_stamp() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}
