# syntax=docker/dockerfile:1
# The exporter with TensorRT, for the model-export Job of the tensorrt-plans component: it runs on a
# node of the GPU model the plans are for and builds each model.plan with trtexec, checked against
# ONNX Runtime with polygraphy (export/runtimes.py). The base is the NGC TensorRT image of the same
# release as the tritonserver image that serves the plans (24.10: TensorRT 10.5.0), because a plan
# loads only under the TensorRT release that built it. Python 3.11 (the project's) comes from Ubuntu's
# universe packages. Linted by make k8s-check, not built here (no Docker, no GPU).
#   docker build -f deploy/docker/export-tensorrt.Dockerfile -t registry.example.com/fittingroom/export-tensorrt:0.1.0-trt24.10 .

FROM nvcr.io/nvidia/tensorrt:24.10-py3
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:/usr/src/tensorrt/bin:$PATH
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11=3.11.* python3.11-venv=3.11.* \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 tryon \
    && useradd --system --uid 10001 --gid tryon --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tryon
WORKDIR /src
COPY pyproject.toml ./
COPY services ./services
COPY export ./export
# Editable, so the exporter's weight cache is /src/.cache: the Job mounts an emptyDir there.
RUN python3.11 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir -e '.[export]' 'polygraphy==0.49.13'
USER 10001:10001
ENTRYPOINT ["python", "-m", "fittingroom.export"]
