"""The pipeline's own alerts: what spans components (runbooks in docs/runbooks/).

Each component alerts on its own parts (``<component>/observability.py``); these
two watch what only the whole pipeline shows: transactions reaching the
warehouse, and the fraud rate the detector produces from them.
"""

from generator.components.monitoring.spec import Thresholds
from generator.components.observability import Alert
from libs.contracts.metrics import JOB_PREFIX


def pipeline_alerts(t: Thresholds) -> list[Alert]:
    """An anomalous fraud rate and a pipeline that delivers nothing."""
    decisions, alerts = f"{JOB_PREFIX}decisions", f"{JOB_PREFIX}alerts"
    fraud_rate = (
        f"sum(rate({alerts}[30m])) / (sum(rate({decisions}[30m])) > {t.min_decisions_per_second})"
    )
    processed = f"{JOB_PREFIX}events_processed"
    return [
        Alert("FraudRateAnomalous",
               f"({fraud_rate}) > {t.fraud_rate_high} or ({fraud_rate}) < {t.fraud_rate_low}",
               "15m", "warning", "The fraud alert rate is outside its normal band",
               f"Alerts per decision left [{t.fraud_rate_low}, {t.fraud_rate_high}] for 15 "
               "minutes: a fraud wave, a rule misconfiguration, or a broken model."),
        Alert("NoTransactionsProcessed",
               f"sum(rate({processed}[10m])) == 0 or absent({processed})",
               "10m", "critical", "No transactions reach the warehouse",
               "The transaction-processor wrote nothing to bronze for 10 minutes: the "
               "producer stopped, or the job or its sink is down."),
    ]  # fmt: skip
