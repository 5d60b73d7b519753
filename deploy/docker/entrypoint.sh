#!/bin/sh
# The image's entry point: `docker run meshwork <role> [arguments]` runs one part of Meshwork.
#   identity | users | notifications | jobs   a gRPC service (python -m services.<role>)
#   edge                                      the REST edge (python -m edge, uvicorn)
#   healthcheck [target]                      one health check (python -m mesh.healthcheck)
# A new service is one more name on the services line below.
set -eu

role="${1:-}"
if [ "$#" -gt 0 ]; then shift; fi

case "$role" in
    identity|users|notifications|jobs)
        exec python -m "services.$role" "$@" ;;
    edge)
        exec python -m edge "$@" ;;
    healthcheck)
        exec python -m mesh.healthcheck "$@" ;;
    *)
        echo "usage: meshwork <identity|users|notifications|jobs|edge|healthcheck> [args]" >&2
        echo "unknown role: '${role}'" >&2
        exit 64 ;;
esac
