"""Platform tooling above the services: the `ocop` command, the portal, local Kafka and
MongoDB, the AsyncAPI document, test fixtures and the partners' stand-ins.

It may import every service and the kernel (`ocop_shared`); nothing imports it but tests,
benchmarks and deployment (checked by the import contracts in the root pyproject).
"""
