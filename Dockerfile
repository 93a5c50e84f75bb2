# furikaeri: build the wheel, install it into a virtualenv, run it as a non-root user.
#   docker build -t furikaeri .
#   docker run -p 3000:3000 -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -v furikaeri:/data furikaeri
# Migrations are applied at start, as `furikaeri run` always does (several replicas may start at once).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY storage storage
COPY templates templates
RUN python -m pip wheel --quiet --no-cache-dir --no-deps --wheel-dir /wheels .
COPY deploy/install.sh /usr/local/bin/furikaeri-install
RUN furikaeri-install /wheels /opt/furikaeri

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /data --create-home furikaeri
COPY --from=build /opt/furikaeri /opt/furikaeri
ENV PATH=/opt/furikaeri/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/furikaeri.db \
    LOG_FORMAT=json
USER 10001
WORKDIR /data
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/livez', timeout=4).status != 200)"]
CMD ["furikaeri", "run", "--http", "--host", "0.0.0.0", "--port", "3000"]
