# One image for every Sodsong role; the command picks it:
#   sodsong run --no-migrate --service intake|routing|casework|notify|audit
#   sodsong db upgrade            (init job, once per release, before new service versions start)
#   sodsong broker setup          (declares exchanges and quorum queues; also done by every service at start)
#   sodsong backup data|keys ...  (pg_dump is in the image for this)
# Runtime dependencies only (requirements.lock); test tools live in requirements-test.lock and never land here.
# Runs as an unprivileged user with a read-only root filesystem: only /var/lib/sodsong (data) and /tmp are written.

ARG PYTHON_IMAGE=python:3.11-slim-trixie

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/sodsong
COPY requirements.lock /src/requirements.lock
RUN /opt/sodsong/bin/pip install --upgrade "pip<26" && /opt/sodsong/bin/pip install -r /src/requirements.lock
COPY pyproject.toml README.md /src/
COPY shared /src/shared
COPY services /src/services
COPY sodsong /src/sodsong
RUN /opt/sodsong/bin/pip install --no-deps /src \
    && /opt/sodsong/bin/python -m compileall -q /opt/sodsong/lib \
    && /opt/sodsong/bin/pip uninstall -y pip

FROM ${PYTHON_IMAGE} AS runtime
# pg_dump/pg_restore for `sodsong backup` and `sodsong restore`; tini reaps children and forwards SIGTERM.
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 sodsong \
    && useradd --system --uid 10001 --gid sodsong --home-dir /var/lib/sodsong --shell /usr/sbin/nologin sodsong \
    && install -d -o sodsong -g sodsong -m 0700 /var/lib/sodsong /var/lib/sodsong-keys
COPY --from=build /opt/sodsong /opt/sodsong
ENV PATH=/opt/sodsong/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    SODSONG_DATA_DIR=/var/lib/sodsong \
    SODSONG__intake__http=0.0.0.0:8000 \
    SODSONG__casework__http=0.0.0.0:8001 \
    SODSONG__metrics__http=0.0.0.0:9464 \
    SODSONG__health__http=0.0.0.0:8080
USER 10001:10001
WORKDIR /var/lib/sodsong
VOLUME ["/var/lib/sodsong"]
EXPOSE 8000 8001 8080 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["/usr/bin/tini", "--", "sodsong"]
CMD ["run", "--no-migrate"]
