# A fabric-pilot chaincode server (chaincode as a service) in a container.
#
# Build context: the fabric-pilot project root, e.g.
#   docker build -f docker/chaincode.Dockerfile -t fabric-pilot-chaincode .
# Run: the command names the ContractChaincode to serve, the environment configures it
# (CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, optional CHAINCODE_TLS_* files):
#   python -m fabric_pilot_chaincode serve MODULE:ATTR
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY setup.py setup.cfg pyproject.toml README.md ./
COPY chaincode ./chaincode
COPY sdk ./sdk
COPY cli ./cli
COPY network-config ./network-config
RUN pip install . && rm -rf /src

RUN useradd --system --uid 10001 chaincode
USER chaincode
WORKDIR /home/chaincode

ENTRYPOINT []
CMD ["python", "-m", "fabric_pilot_chaincode", "serve", "--help"]
