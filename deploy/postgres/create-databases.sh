#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: one database per service named in
# MESHWORK_DATABASES (comma-separated). Each service migrates its own database when it starts.
set -eu

for database in $(echo "${MESHWORK_DATABASES:?name the databases to create}" | tr ',' ' '); do
    echo "creating database ${database}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -c "CREATE DATABASE \"${database}\""
done
