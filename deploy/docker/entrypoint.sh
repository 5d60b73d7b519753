#!/bin/sh
# The image's entry point: `docker run meshwork <role> [arguments]` runs one part of Meshwork.
#   a service in SERVICES   its gRPC server (python -m services.<role>)
#   edge                    the REST edge (python -m edge, uvicorn)
#   healthcheck [target]    one health check (python -m mesh.healthcheck)
set -eu

# The runnable services: a new one is one more name here.
SERVICES="identity users admin payments notifications jobs audit"

usage() {
    echo "usage: meshwork <role> [args], the role one of: ${SERVICES} edge healthcheck"
}

role="${1:-}"
if [ "$#" -gt 0 ]; then shift; fi

for service in $SERVICES; do
    if [ "$role" = "$service" ]; then exec python -m "services.$role" "$@"; fi
done
case "$role" in
    edge) exec python -m edge "$@" ;;
    healthcheck) exec python -m mesh.healthcheck "$@" ;;
    ""|help|--help|-h) usage ;;
    *)
        usage >&2
        echo "unknown role: '${role}'" >&2
        exit 64 ;;
esac
