{#- Schemas are exactly what the folders say (silver, gold), not
    "<target schema>_silver" as dbt's default would make them: the migrations,
    grants and NetworkPolicies of the platform name these schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
