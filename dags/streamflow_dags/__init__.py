"""Shared pieces of the StreamFlow DAGs: settings, Cosmos configuration, callbacks, SQL.

Airflow puts the DAG folder on ``sys.path``, so the DAG files import this
package; ``.airflowignore`` keeps the DAG processor from parsing it as DAGs.
"""
