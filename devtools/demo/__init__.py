"""``make demo``: the whole data path on one machine, in one command, with one report.

Real Kafka (KRaft) and PostgreSQL from the test harness, the spec's topics and
roles, the three PyFlink jobs on local mini-clusters, generated events with
fraud and malformed records, ``dbt build``, and a report that checks
conservation end to end (``devtools.demo.report``). Everything it starts dies with
it: on success, on a failed stage, on ^C and on SIGTERM.
"""
