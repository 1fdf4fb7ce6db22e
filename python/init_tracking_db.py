"""Creates MLflow's tables in an empty database, as `mlflow server` does at its first start.

The PostgreSQL integration tests make this database once per run and give each MLflow server a
copy of it (`createdb -T`), instead of each server running every migration again: a server's
first start on PostgreSQL costs several seconds more than a start on tables that exist, and a
server starting on existing tables is the ordinary restart. Usage: init_tracking_db.py URI
"""

import sys

from mlflow.server.handlers import initialize_backend_stores
from mlflow.utils.server_cli_utils import resolve_default_artifact_root

if __name__ == "__main__":
    uri = sys.argv[1]
    # What `mlflow server --backend-store-uri URI --artifacts-destination DIR` resolves: artifacts
    # served by the server (the Default experiment's location is mlflow-artifacts:/0).
    initialize_backend_stores(uri, uri, resolve_default_artifact_root(True, None, uri))
