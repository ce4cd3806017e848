# telemetry in a container: `telemetry serve` on /data/telemetry.sqlite.
#   docker build -t telemetry .
#   head -c 32 /dev/urandom | base64 > telemetry_token   # the API token, one line
#   chmod 0400 telemetry_token && sudo chown 10001 telemetry_token
#   docker run -d -p 8765:8765 -v telemetry-data:/data \
#     -v "$PWD/telemetry_token:/run/secrets/telemetry_token:ro" telemetry
# (it listens on 0.0.0.0 inside the container, so auth is on and serve refuses
# to start without the token file; compose.yaml mounts it as a secret).
# Operator commands run in the same image, on the same volume:
#   docker run --rm --init -v telemetry-data:/data telemetry backup
# See docs/operations.md.

# --- build stage: the Debian 12 toolchain and -dev packages -------------------
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      meson ninja-build g++ pkg-config \
      libcli11-dev libcpp-httplib-dev libsqlite3-dev nlohmann-json3-dev libfmt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Only the binary: no unit tests, no benchmarks, no man pages in the image.
RUN meson setup /build --buildtype=release --prefix=/usr -Dtests=disabled -Dbench=false -Dman_pages=disabled \
 && ninja -C /build src/telemetry \
 && install -D -m 0755 -s /build/src/telemetry /out/usr/bin/telemetry \
 && /out/usr/bin/telemetry --version

# --- runtime stage: the shared libraries and nothing else -----------------------
FROM debian:12-slim
# libcpp-httplib0.11 brings libssl3, libbrotli1 and zlib1g; ca-certificates lets
# `ingest-buffer --url https://...` verify a service behind a TLS proxy.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcpp-httplib0.11 libfmt9 libsqlite3-0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin telemetry \
 && mkdir -p /data \
 && chown telemetry:telemetry /data \
 && chmod 0700 /data
COPY --from=build /out/usr/bin/telemetry /usr/bin/telemetry

# The volume layout and lock path of the Python service's image (docs/reference/configuration.md §4.7),
# so its volume can be mounted as is (after `telemetry migrate`).
ENV TELEMETRY_DB_PATH=/data/telemetry.sqlite \
    TELEMETRY_LOCK_FILE=/data/telemetry.lock \
    TELEMETRY_API_HOST=0.0.0.0 \
    TELEMETRY_API_PORT=8765 \
    TELEMETRY_API_AUTH_ENABLED=true \
    TELEMETRY_API_AUTH_TOKEN_FILE=/run/secrets/telemetry_token
VOLUME ["/data"]
WORKDIR /data
USER telemetry:telemetry
EXPOSE 8765

# serve drains requests and the write queue on SIGTERM, then exits 0.
STOPSIGNAL SIGTERM
# Healthy = the service answers /health with a working writer and the database
# passes quick_check; check's exit 1 (warnings only) still counts as healthy.
HEALTHCHECK --interval=60s --timeout=30s --start-period=20s --retries=3 \
  CMD telemetry check --quick --url "http://127.0.0.1:${TELEMETRY_API_PORT}" >/dev/null || [ $? -eq 1 ]

ENTRYPOINT ["telemetry"]
CMD ["serve"]
