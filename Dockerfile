# syntax=docker/dockerfile:1
# One image for every service and the edge: `docker run meshwork users`, `docker run meshwork edge`.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Build: the project and its dependencies into a virtualenv (compilers only here, for any
# dependency without a wheel for this platform).
FROM ${PYTHON_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/meshwork
ENV PATH=/opt/meshwork/bin:$PATH PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY gen ./gen
COPY mesh ./mesh
COPY services ./services
COPY edge ./edge
# Checked from / so the installed package is imported, not the sources: migrations included.
RUN pip install . && cd / && python -c "import edge.app, services.users.bootstrap as users; \
assert (users.MIGRATIONS / 'env.py').is_file(), 'migrations are missing from the package'"

# Run: the virtualenv alone on a slim Python, as an unprivileged user.
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 meshwork \
    && useradd --system --uid 10001 --gid meshwork --home-dir /app --shell /usr/sbin/nologin meshwork \
    && mkdir /app && chown meshwork:meshwork /app
COPY --from=build /opt/meshwork /opt/meshwork
COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/meshwork
# Containers are production unless told otherwise (development secrets are refused), and
# their metrics endpoints listen beyond loopback, for Prometheus to scrape.
ENV PATH=/opt/meshwork/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MESHWORK_ENVIRONMENT=production \
    MESHWORK_METRICS_HOST=0.0.0.0 \
    MESHWORK_METRICS_PORT=9464 \
    EDGE_HTTP_HOST=0.0.0.0
WORKDIR /app
USER 10001:10001
EXPOSE 8080 9464
# Each container names its own target (127.0.0.1:<grpc port>, or the edge's /healthz URL)
# in MESHWORK_HEALTHCHECK_TARGET.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "mesh.healthcheck"]
ENTRYPOINT ["meshwork"]
CMD ["help"]
