#!/bin/sh
# Patroni runs this once on the node that initialised the cluster: the application's role and database.
set -eu
psql -v ON_ERROR_STOP=1 "$1" <<SQL
CREATE ROLE ${APP_DB_USER:-app} LOGIN PASSWORD '${APP_DB_PASSWORD:-app}';
CREATE DATABASE ${APP_DB_NAME:-webstack} OWNER ${APP_DB_USER:-app};
SQL
