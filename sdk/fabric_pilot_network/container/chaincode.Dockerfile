# A fabric-pilot chaincode server (chaincode as a service) in a container.
#
# Build context: the folder fabric-pilot writes for a Docker network (NETWORK/chaincode/image):
# this file, src/ (the chaincode runtime and the contracts) and requirements.txt.
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim -t fabric-pilot-chaincode NETWORK/chaincode/image
# Run: the command names the ContractChaincode to serve, the environment configures it
# (CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, optional CHAINCODE_TLS_* files):
#   python -m fabric_pilot_chaincode serve MODULE:ATTR
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/opt/fabric-pilot

# A base image that already has the runtime dependencies (an offline stand-in) installs nothing.
COPY requirements.txt /opt/fabric-pilot-requirements.txt
RUN python -c "import grpc, google.protobuf, greenlet, cryptography, fabric_protos" 2>/dev/null \
    || python -m pip install -r /opt/fabric-pilot-requirements.txt
COPY src/ /opt/fabric-pilot/

# Any unprivileged user; fabric-pilot's compose file runs it as the owner of the TLS key.
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT []
CMD ["python", "-m", "fabric_pilot_chaincode", "serve", "--help"]
