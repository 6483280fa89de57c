{#- Every amount that reaches silver must be positive. Bronze has a CHECK for
    this, but a constraint can be dropped or a table restored from elsewhere:
    the warehouse checks its own invariant (the hourly builds: their last load,
    macros/test_scope.sql). -#}
{{ config(severity='error') }}

select
    'stg_transactions' as model,
    transaction_id::text as row_id,
    amount,
    'amount must be greater than zero' as problem
from {{ last_load(ref('stg_transactions')) }} as t
where amount <= 0

union all

select
    'stg_fraud_alerts' as model,
    alert_id::text as row_id,
    amount,
    'amount must be greater than zero' as problem
from {{ last_load(ref('stg_fraud_alerts')) }} as a
where amount <= 0
