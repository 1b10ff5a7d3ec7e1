# syntax=docker/dockerfile:1
# Triton with the model repository baked in: for the dev overlay and for clusters without object
# storage. The tag matches deploy/k8s (tritonserver 2.51.0, the server the project's tests run from
# nvidia-pytriton 0.7.0). The NGC image has the onnxruntime, tensorrt and python backends.
# Build from the repository root after `export/` has written the repository for the flavour you want:
#   docker build -f deploy/docker/triton.Dockerfile -t fittingroom/triton:dev .
#   docker build -f deploy/docker/triton.Dockerfile --build-arg MODEL_REPOSITORY=out/repo-tensorrt ...

FROM nvcr.io/nvidia/tritonserver:24.10-py3
ARG MODEL_REPOSITORY=model_repository
COPY --chown=1000:1000 ${MODEL_REPOSITORY} /opt/fittingroom/model_repository
# triton-server (1000) is the NGC image's unprivileged user.
USER 1000:1000
EXPOSE 8000 8001 8002
CMD ["tritonserver", "--model-repository=/opt/fittingroom/model_repository", \
     "--model-control-mode=explicit", "--load-model=*", "--strict-readiness=true", \
     "--exit-timeout-secs=60"]
