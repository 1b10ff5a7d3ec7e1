# syntax=docker/dockerfile:1
# The exporter (`python -m fittingroom.export`) for the model-export Job (deploy/k8s/overlays/prod):
# torch, the converters and the project, CPU only. It builds the ONNX models and writes the configs of
# the profile the Job asks for (--device gpu: KIND_GPU + ONNX Runtime's TensorRT accelerator); the
# TensorRT engines themselves are built by ONNX Runtime inside each GPU Triton pod.
# Build from the repository root:
#   docker build -f deploy/docker/export.Dockerfile -t registry.example.com/fittingroom/export:0.1.0 .

FROM python:3.11.13-slim-bookworm
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH
RUN groupadd --system --gid 10001 tryon \
    && useradd --system --uid 10001 --gid tryon --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tryon
WORKDIR /src
COPY pyproject.toml ./
COPY services ./services
COPY export ./export
# Editable, so the exporter's weight cache is /src/.cache: the Job mounts an emptyDir there.
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir -e '.[export]'
USER 10001:10001
ENTRYPOINT ["python", "-m", "fittingroom.export"]
