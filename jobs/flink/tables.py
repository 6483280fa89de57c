"""Flink SQL DDL for the Kafka and JDBC tables the jobs read and write.

Kafka tables use the ``raw`` format (the Python code owns parsing and
validation) and expose partition/offset metadata for DLQ records. JDBC sinks
declare the primary key, so the PostgreSQL dialect writes
``INSERT … ON CONFLICT … DO UPDATE``: a replay after a restore rewrites the
same rows instead of duplicating them. ``stringtype=unspecified`` lets
PostgreSQL cast text parameters to uuid, numeric, timestamptz and jsonb.
"""

from jobs.flink.environment import JobOptions


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def kafka_raw_source(
    name: str, topic: str, group: str, options: JobOptions, watermark_s: int | None = None
) -> str:
    """A Kafka topic as (partition, offset, record time, key, value) rows.

    With ``watermark_s`` the value is text and the record timestamp (which our
    producers set to the event's own time) becomes the event-time attribute,
    watermarked per partition inside the source.
    """
    bounded = ",\n  'scan.bounded.mode' = 'latest-offset'" if options.bounded else ""
    value = "STRING" if watermark_s is not None else "BYTES"
    watermark = (
        f",\n  WATERMARK FOR `record_time` AS `record_time` - INTERVAL '{watermark_s}' SECOND"
        if watermark_s is not None
        else ""
    )
    return f"""CREATE TABLE {name} (
  `partition` INT METADATA VIRTUAL,
  `offset` BIGINT METADATA VIRTUAL,
  `record_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `key` BYTES,
  `value` {value}{watermark}
) WITH (
  'connector' = 'kafka',
  'topic' = {_quote(topic)},
  'properties.bootstrap.servers' = {_quote(options.bootstrap_servers)},
  'properties.group.id' = {_quote(group + options.group_suffix)},
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'key.format' = 'raw',
  'key.fields' = 'key',
  'value.format' = 'raw',
  'value.fields-include' = 'EXCEPT_KEY'{bounded}
)"""


def jdbc_sink(name: str, table: str, columns: list[str], key: str, options: JobOptions) -> str:
    """An upserting PostgreSQL table; every column travels as text."""
    separator = "&" if "?" in options.jdbc_url else "?"
    # reWriteBatchedInserts: pgjdbc sends a flushed batch as multi-row INSERTs (the
    # buffer holds each key once, so ON CONFLICT never meets a key twice in one).
    url = f"{options.jdbc_url}{separator}stringtype=unspecified&reWriteBatchedInserts=true"
    fields = ",\n  ".join(f"`{column}` STRING" for column in columns)
    return f"""CREATE TABLE {name} (
  {fields},
  PRIMARY KEY (`{key}`) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = {_quote(url)},
  'table-name' = {_quote(table)},
  'username' = {_quote(options.jdbc_user)},
  'password' = {_quote(options.jdbc_password)},
  'sink.buffer-flush.max-rows' = '2000',
  'sink.buffer-flush.interval' = '1s',
  'sink.max-retries' = '10'
)"""


def upsert_kafka_sink(
    name: str, topic: str, columns: dict[str, str], key: list[str], options: JobOptions
) -> str:
    """A Kafka topic written as an upsert stream of JSON, transactionally."""
    fields = ",\n  ".join(f"`{column}` {kind}" for column, kind in columns.items())
    keys = ", ".join(f"`{column}`" for column in key)
    return f"""CREATE TABLE {name} (
  {fields},
  PRIMARY KEY ({keys}) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = {_quote(topic)},
  'properties.bootstrap.servers' = {_quote(options.bootstrap_servers)},
  'properties.transaction.timeout.ms' = '600000',
  'key.format' = 'json',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = {_quote("streamflow-" + name)}
)"""


def kafka_event_time_sink(name: str, topic: str, options: JobOptions) -> str:
    """JSON text to ``topic`` with the record timestamp set to the event time, transactionally.

    Records are batched for up to 20 ms (256 KiB): in an alert storm every event
    writes one, and unbatched sends cost more than scoring. Nothing waits on it:
    read_committed consumers see the records at the checkpoint's commit anyway.
    """
    return f"""CREATE TABLE {name} (
  `value` STRING,
  `record_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
  'connector' = 'kafka',
  'topic' = {_quote(topic)},
  'properties.bootstrap.servers' = {_quote(options.bootstrap_servers)},
  'properties.transaction.timeout.ms' = '600000',
  'properties.linger.ms' = '20',
  'properties.batch.size' = '262144',
  'value.format' = 'raw',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = {_quote("streamflow-" + name)}
)"""
