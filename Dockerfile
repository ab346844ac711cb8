# One image for every platform service; the command picks the role (see docker-compose.yml).
# Dependencies come from the production lock (exact versions, hash-checked wheels only; no
# embedded broker or database: production uses external Kafka and PostgreSQL), then the project
# itself without dependencies. locks/prod.txt is for x86-64 Linux (regenerate: scripts/lock.sh).
FROM python:3.11-slim
WORKDIR /app
COPY locks/prod.txt locks/prod.txt
RUN pip install --no-cache-dir --require-hashes --only-binary :all: -r locks/prod.txt
COPY pyproject.toml README.md ./
COPY core core
COPY ingest ingest
COPY routing routing
COPY forecasting forecasting
COPY fleet fleet
COPY parking parking
COPY api api
COPY maps maps
COPY simulations simulations
COPY admin admin
RUN pip install --no-cache-dir --no-deps . && useradd --system cityops
USER cityops
ENV CITYOPS_ENVIRONMENT=production
