"""How Kafka is watched: Strimzi's metrics reporter, the broker alert, the Kafka dashboard.

The brokers export through Strimzi's metrics reporter, whose allow-list is this
catalogue (``manifests.metrics_allow_list``): nothing else leaves a broker.
Runbook: docs/runbooks/KafkaBrokerDown.md.
"""

from generator.components.kafka.spec import KafkaSpec
from generator.components.observability import Alert, Dashboard, Metric, Source, series, stat, up

CATALOGUE = (
    # Strimzi metrics reporter (Kafka's Yammer and client metrics, lowercased)
    Metric("kafka_server_kafkaserver_brokerstate", Source.KAFKA, "broker state (3 = running)"),
    Metric(
        "kafka_controller_kafkacontroller_activecontrollercount",
        Source.KAFKA,
        "1 on the active KRaft controller",
    ),
    Metric(
        "kafka_controller_kafkacontroller_offlinepartitionscount",
        Source.KAFKA,
        "partitions without a leader",
    ),
    Metric(
        "kafka_server_replicamanager_underreplicatedpartitions",
        Source.KAFKA,
        "partitions with fewer in-sync replicas than replicas",
    ),
    Metric(
        "kafka_server_replicamanager_underminisrpartitioncount",
        Source.KAFKA,
        "partitions below min.insync.replicas (acks=all writes fail)",
    ),
    Metric(
        "kafka_server_brokertopicmetrics_messagesinpersec_total",
        Source.KAFKA,
        "messages appended, per topic",
    ),
    Metric(
        "kafka_server_brokertopicmetrics_bytesinpersec_total",
        Source.KAFKA,
        "bytes appended, per topic",
    ),
    Metric(
        "kafka_server_brokertopicmetrics_bytesoutpersec_total",
        Source.KAFKA,
        "bytes fetched by consumers, per topic",
    ),
    Metric("kafka_log_log_size", Source.KAFKA, "bytes on disk per partition"),
)


def alerts(component: str, kafka: KafkaSpec) -> list[Alert]:
    """A broker that stops answering scrapes, against the broker count of the spec."""
    brokers = kafka.count("broker")
    return [
        Alert("KafkaBrokerDown", f"(count({up(component)} == 1) or vector(0)) < {brokers}",
              "2m", "critical", "A Kafka broker is down",
              f"Fewer than the {brokers} broker(s) of the spec answer scrapes; producers with "
              "acks=all stall once partitions drop below min.insync.replicas."),
    ]  # fmt: skip


def dashboard(component: str) -> Dashboard:
    """The Kafka brokers: traffic per topic and partition health."""
    panels = [
        stat("Brokers up", "short", (f"sum({up(component)})", "up")),
        stat("Active controllers", "short",
             ("sum(kafka_controller_kafkacontroller_activecontrollercount)", "active")),
        stat("Offline partitions", "short",
             ("sum(kafka_controller_kafkacontroller_offlinepartitionscount)", "offline")),
        stat("Under min ISR", "short",
             ("sum(kafka_server_replicamanager_underminisrpartitioncount)", "under min ISR")),
        series("Messages in per topic", "ops",
               ('sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesinpersec_total'
                '{topic!=""}[5m]))', "{{topic}}")),
        series("Bytes in and out", "Bps",
               ('sum(rate(kafka_server_brokertopicmetrics_bytesinpersec_total{topic=""}[5m]))',
                "in"),
               ('sum(rate(kafka_server_brokertopicmetrics_bytesoutpersec_total{topic=""}[5m]))',
                "out")),
        series("Under-replicated partitions", "short",
               ("sum(kafka_server_replicamanager_underreplicatedpartitions)", "under-replicated")),
        series("Log size per topic", "bytes",
               ("sum by (topic) (kafka_log_log_size)", "{{topic}}")),
        series("Broker state (3 = running)", "short",
               ("kafka_server_kafkaserver_brokerstate", "{{pod}}")),
    ]  # fmt: skip
    return Dashboard("streamflow-kafka", "StreamFlow / Kafka",
                     "Strimzi-managed brokers, through Strimzi's metrics reporter.",
                     [("Brokers", panels)])  # fmt: skip
