# syntax=docker/dockerfile:1
# The gateway image: FastAPI + the stage pre/post-processing + Triton gRPC client. No torch: the
# project is installed without the `export` extra (torch and the converters live only in export/).
# Build from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t registry.example.com/fittingroom/gateway:0.1.0 .

FROM python:3.11.13-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml ./
COPY services ./services
COPY export ./export
# Versions are pinned in pyproject.toml; no [export] keeps torch out of the image. PostgreSQL and S3 are what
# several replicas share (the prod overlay), and S3 holds the model store the admin API writes configs to.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir '.[postgres,s3]' \
    && /opt/venv/bin/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is not None)"

FROM python:3.11.13-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 tryon \
    && useradd --system --uid 10001 --gid tryon --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tryon
COPY --from=build /opt/venv /opt/venv
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["tryon"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
