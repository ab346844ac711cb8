# One image for every platform service; the command picks the role (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY ingest ingest
COPY routing routing
COPY parking parking
COPY api api
COPY maps maps
COPY simulations simulations
RUN pip install --no-cache-dir . && useradd --system cityops
USER cityops
ENV CITYOPS_ENVIRONMENT=production
