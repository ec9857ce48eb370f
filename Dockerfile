# The Airflow image with ml-connector installed, so Airflow discovers its provider entry point
# (connection types). dags/, plugins/ and include/ are also mounted by docker-compose.yaml for live edits.
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:root pyproject.toml README.md constraints-py3.11.txt /opt/ml-connector/
COPY --chown=airflow:root plugins /opt/ml-connector/plugins
RUN pip install --no-cache-dir -c /opt/ml-connector/constraints-py3.11.txt /opt/ml-connector
