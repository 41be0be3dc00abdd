# syntax=docker/dockerfile:1
#
# One image for every OCOP process. The command picks the service:
#   nameko run --config services/<name>/config.yaml services.<name>.service:<Name>Service
#   nameko run --config gateway/config.yaml gateway.service:GatewayService      (default CMD)
#
# Stages:
#   builder  - compilers + venv with requirements/services.txt (never shipped)
#   app      - the source tree, byte-compiled (root-owned, read-only for the app user)
#   runtime  - python:3.11-slim + venv + source, non-root uid 10001, no compilers, no ssh

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
# Compilers live only in this stage, for any dependency that ships no wheel.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements/services.txt /tmp/requirements/services.txt
RUN pip install --upgrade pip setuptools wheel \
 && pip install -r /tmp/requirements/services.txt

FROM ${PYTHON_IMAGE} AS app
WORKDIR /app
COPY . /app
# Pre-compile: the root filesystem is read-only at run time.
RUN python -m compileall -q /app

FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=dev
ARG VCS_REF=unknown
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.title="ocop-platform" \
      org.opencontainers.image.description="OCOP (One Commune One Product) platform services and gateway (nameko)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${VCS_REF}" \
      org.opencontainers.image.created="${BUILD_DATE}" \
      org.opencontainers.image.source="https://example.invalid/ocop/platform" \
      org.opencontainers.image.vendor="OCOP platform team" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-bookworm"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    LOG_LEVEL=INFO \
    HTTP_PORT=8000 \
    OPERATIONS_PORT=9000 \
    PYTHONWARNINGS="ignore::DeprecationWarning,ignore::Warning:nameko.cli.commands"

# Unprivileged user; no login shell; strip setuid/setgid bits so nothing can regain root.
RUN groupadd --system --gid 10001 ocop \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin ocop \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true

COPY --from=builder /opt/venv /opt/venv
COPY --from=app /app /app
WORKDIR /app

USER 10001:10001
# 8000: the gateway's API; 9000-9004: each process's /livez, /readyz, /metrics.
EXPOSE 8000 9000 9001 9002 9003 9004

# docker-compose and plain `docker run` use this; Kubernetes uses its own probes.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('OPERATIONS_PORT', '9000'), timeout=4)"]

CMD ["nameko", "run", "--config", "gateway/config.yaml", "gateway.service:GatewayService"]
