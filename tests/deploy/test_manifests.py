"""The deploy manifests, checked by real validators and against the code.

* Kustomize (installed by `make setup`) renders deploy/k8s/overlays/*; `kubernetes-validate
  --strict` checks every resource against the schemas of a pinned Kubernetes version.
* `check-jsonschema --builtin-schema vendor.compose-spec` checks deploy/compose.yaml.
* Every process of `ocop run` (its SYSTEM tuple) must have a compose service, a Deployment
  and a command of the one image entrypoint (deploy/Dockerfile, run here with a stand-in
  python), so the manifests cannot drift from the code. The stand-ins of the partners
  (`stand_in=True`) exist only in compose's `demo` profile and the k8s dev overlay, never
  in base or production.
Each validator is also shown an invalid file, which it must reject.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "production")
HEARTBEAT_FILE = "/tmp/ocop-heartbeat"  # noqa: S108 (the images' OCOP_HEARTBEAT_FILE)


def kustomize_command() -> list[str] | None:
    """The command rendering a kustomization (its path follows): the Kustomize installed by
    `make setup` (deploy/local/ensure-tools.sh), else one on PATH, else kubectl's built-in
    one (`kubectl kustomize DIR`, no `build`). None when there is none at all."""
    explicit = os.environ.get("OCOP_KUSTOMIZE")
    if explicit:
        return [explicit, "build"]
    local = REPO / ".ocop" / "tools" / "bin" / "kustomize"
    if local.is_file() and os.access(local, os.X_OK):
        return [str(local), "build"]
    found = shutil.which("kustomize")
    if found:
        return [found, "build"]
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize"]
    return None


@pytest.fixture(scope="session")
def kustomize() -> list[str]:
    command = kustomize_command()
    if command is None:
        pytest.fail(
            "kustomize not found: run `make setup` (deploy/local/ensure-tools.sh installs it "
            "from the Go module proxy) or set OCOP_KUSTOMIZE"
        )
    return command


def render(kustomize: list[str], overlay: str) -> str:
    path = DEPLOY / "k8s" / ("base" if overlay == "base" else f"overlays/{overlay}")
    result = subprocess.run(
        [*kustomize, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kustomize build {overlay} failed:\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="session")
def rendered(kustomize: list[str]) -> dict[str, str]:
    """Rendered YAML of every overlay, and of the base alone."""
    return {overlay: render(kustomize, overlay) for overlay in (*OVERLAYS, "base")}


def resources(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def _load_compose(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return _load_compose("compose.yaml")


# --- what `ocop run` starts: the manifests must not drift from it ---------------------------

K8S_VERSION = "1.34.0"
"""Kubernetes version the manifests are validated against (the oldest one we support)."""


def system_processes() -> dict[str, str]:
    """Process name → the command its image runs for it: `api`, the worker module's name
    (relay, consumer, ecommerce_worker, …), or for a stand-in its own name (fake-voso)."""
    from ocop_platform.cli.system import SYSTEM, ApiProcess

    def command(c: ApiProcess | Any) -> str:
        if isinstance(c, ApiProcess):
            return c.name if c.stand_in else "api"
        return str(c.module).rsplit(".", 1)[-1]

    return {c.name: command(c) for c in SYSTEM}


def stand_ins() -> set[str]:
    """Local stand-ins of the partners: demo profile and dev overlay only."""
    from ocop_platform.cli.system import SYSTEM, ApiProcess

    return {c.name for c in SYSTEM if isinstance(c, ApiProcess) and c.stand_in}


def deployed_processes() -> dict[str, str]:
    """What every deployment runs: SYSTEM without the stand-ins."""
    return {p: c for p, c in system_processes().items() if p not in stand_ins()}


WORKER_COMMANDS = ("relay", "consumer", "scheduler", "connectors", "ecommerce_worker")


def test_every_worker_of_ocop_run_is_a_kind_the_manifests_know() -> None:
    """A new kind of worker needs its probe and scaling rules decided here first."""
    for process, command in deployed_processes().items():
        assert command == "api" or command in WORKER_COMMANDS, process


def service_of(process: str) -> str:
    """The image a process runs from: the portal has its own (the platform package), and the
    stand-ins, which live in the platform package, run from it."""
    if process.startswith("fake-"):
        return "portal"
    return process.split("-", 1)[0]


DOCKERFILE = REPO / "deploy" / "Dockerfile"
"""The one Dockerfile of every image; build args choose the package (see image_build_args)."""


def image_build_args(image: str) -> dict[str, str]:
    """The build args of an image: its uv package and name; the portal (in the platform
    package) also names its app factory, every service uses entrypoints.api:create_app."""
    if image == "portal":
        return {
            "PACKAGE": "ocop-platform",
            "SERVICE": "portal",
            "API_FACTORY": "ocop_platform.portal.app:create_app",
        }
    return {"PACKAGE": f"ocop-{image}", "SERVICE": image}


def sources_of(image: str) -> Path:
    """Where the image's package lives in the workspace (installed into the image's venv)."""
    return REPO / ("platform/src" if image == "portal" else f"services/{image}/src")


def _by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def _containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return containers


# --- Kubernetes -----------------------------------------------------------------------------


def kubernetes_validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", K8S_VERSION, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_resource_passes_strict_kubernetes_schema_validation(
    rendered: dict[str, str], overlay: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(rendered[overlay], encoding="utf-8")
    result = kubernetes_validate(path)
    assert result.returncode == 0, result.stdout + result.stderr
    docs = resources(rendered[overlay])
    passed = result.stdout.count(" passed for resource ")
    assert passed == len(docs), result.stdout


def test_the_kubernetes_validator_rejects_a_misspelt_field(
    rendered: dict[str, str], tmp_path: Path
) -> None:
    deployment = next(d for d in resources(rendered["production"]) if d["kind"] == "Deployment")
    _containers(deployment)[0]["livenessProbe"]["httpGett"] = {"path": "/health/live"}
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(deployment), encoding="utf-8")
    result = kubernetes_validate(path)
    assert result.returncode != 0
    assert "httpGett" in result.stdout + result.stderr


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_of_ocop_run_has_a_deployment_running_its_command(
    rendered: dict[str, str], overlay: str
) -> None:
    deployments = _by_kind(resources(rendered[overlay]), "Deployment")
    expected = system_processes() if overlay == "dev" else deployed_processes()
    for process, command in expected.items():
        assert process in deployments, f"{overlay}: no Deployment for {process}"
        container = _containers(deployments[process])[0]
        assert container["args"][:1] == [command], process
        assert f"/{service_of(process)}" in container["image"], process


@pytest.mark.parametrize("rendering", ["base", "production"])
def test_the_partner_stand_ins_are_never_deployed_outside_dev(
    rendered: dict[str, str], rendering: str
) -> None:
    assert stand_ins(), "SYSTEM has no stand-in: this test checks nothing"
    docs = resources(rendered[rendering])
    names = {d["metadata"]["name"] for d in docs}
    assert not stand_ins() & names
    assert "ocop_platform.stand_ins" not in rendered[rendering]
    settings = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    assert not [v for v in settings.values() if "fake-" in v], settings


def test_in_dev_the_orders_processes_call_the_stand_ins(rendered: dict[str, str]) -> None:
    docs = resources(rendered["dev"])
    services = _by_kind(docs, "Service")
    settings = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    for stand_in in stand_ins():
        assert stand_in in services, stand_in
        partner = stand_in.removeprefix("fake-").upper()
        assert settings[f"ORDERS_{partner}_BASE_URL"] == f"http://{stand_in}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_are_live_while_their_heartbeat_is_fresh(
    rendered: dict[str, str], overlay: str
) -> None:
    deployments = _by_kind(resources(rendered[overlay]), "Deployment")
    for process, command in deployed_processes().items():
        if command == "api":
            continue
        probe = _containers(deployments[process])[0]["livenessProbe"]["exec"]["command"]
        assert probe[:2] == ["python", "-c"], process
        assert HEARTBEAT_FILE in probe[2] and "st_mtime" in probe[2], process
        compile(probe[2], f"{process} liveness probe", "exec")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_runs_non_root_read_only_without_capabilities(
    rendered: dict[str, str], overlay: str
) -> None:
    for name, deployment in _by_kind(resources(rendered[overlay]), "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in _containers(deployment):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert {"requests", "limits"} <= set(container["resources"]), name
            assert "livenessProbe" in container, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_apis_probe_their_health_endpoints_and_have_a_service_and_a_budget(
    rendered: dict[str, str], overlay: str
) -> None:
    docs = resources(rendered[overlay])
    deployments = _by_kind(docs, "Deployment")
    services = _by_kind(docs, "Service")
    budgets = _by_kind(docs, "PodDisruptionBudget")
    apis = [p for p, command in deployed_processes().items() if command == "api"]
    for api in apis:
        container = _containers(deployments[api])[0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert api in services and api in budgets
    ingress = _by_kind(docs, "Ingress")["ocop-hub"]
    routed = {
        path["backend"]["service"]["name"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert routed == set(apis)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_apis_and_consumers_autoscale_but_consumers_not_beyond_the_partitions(
    rendered: dict[str, str], overlay: str
) -> None:
    from ocop_shared.messaging.kafka import DEFAULT_PARTITIONS

    autoscalers = _by_kind(resources(rendered[overlay]), "HorizontalPodAutoscaler")
    for process, command in deployed_processes().items():
        if command in ("api", "consumer"):
            assert process in autoscalers, f"{overlay}: no HPA for {process}"
            assert autoscalers[process]["spec"]["scaleTargetRef"]["name"] == process
        if command == "consumer":
            assert autoscalers[process]["spec"]["maxReplicas"] <= DEFAULT_PARTITIONS
        if command == "relay":
            assert process not in autoscalers  # one lease holder; extra replicas only wait


def test_production_renders_no_secret_and_every_pod_reads_the_external_one(
    rendered: dict[str, str],
) -> None:
    docs = resources(rendered["production"])
    assert not [d for d in docs if d["kind"] == "Secret"]
    for name, deployment in _by_kind(docs, "Deployment").items():
        refs = _containers(deployment)[0]["envFrom"]
        # The portal needs no secret, so it gets none.
        assert ({"secretRef": {"name": "ocop-secrets"}} in refs) is (name != "portal"), name
    settings = next(d for d in docs if d["kind"] == "ConfigMap")
    assert settings["data"]["OCOP_ENVIRONMENT"] == "production"
    assert not {"OCOP_JWT_SECRET", "MONGODB_URI"} & set(settings["data"])


# --- Docker Compose -------------------------------------------------------------------------


def check_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", ["compose.yaml", "compose.demo.yaml"])
def test_compose_file_passes_the_compose_specification_schema(name: str) -> None:
    result = check_compose(DEPLOY / name)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compose_validator_rejects_an_invalid_file(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    broken = {**compose, "services": {**compose["services"]}}
    broken["services"]["catalog-api"] = {**compose["services"]["catalog-api"], "helthcheck": {}}
    path = tmp_path / "compose.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert check_compose(path).returncode != 0


def test_every_process_of_ocop_run_is_a_compose_service_running_its_command(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for process, command in system_processes().items():
        assert process in services, f"no compose service for {process}"
        service = services[process]
        assert service["command"] == [command], process
        assert service["build"]["dockerfile"] == "deploy/Dockerfile", process
        assert service["build"]["context"] == "..", process
        image = service_of(process)
        assert service["build"]["args"] == image_build_args(image), process
        assert f"/{image}:" in service["image"], process
        if process in stand_ins():
            assert service["profiles"] == ["demo"], f"{process} only in the demo profile"
        else:
            assert "profiles" not in service, f"{process} must start without a profile"


def test_the_demo_override_points_every_orders_process_at_the_stand_ins(
    compose: dict[str, Any],
) -> None:
    demo = _load_compose("compose.demo.yaml")["services"]
    assert set(demo) <= set(compose["services"])  # overrides only, adds nothing
    for process in system_processes():
        # The stand-ins (portal image) read the same partner settings as orders.
        if service_of(process) != "orders" and process not in stand_ins():
            continue
        env = demo[process]["environment"]
        for stand_in in stand_ins():
            partner = stand_in.removeprefix("fake-").upper()
            assert env[f"ORDERS_{partner}_BASE_URL"] == f"http://{stand_in}:8000", process
        assert env["ORDERS_API_BASE_URL"] == "http://orders-api:8000", process
    assert not [p for p in compose["services"].values() if "fake-" in str(p.get("environment"))]


def test_compose_workers_are_healthy_while_their_heartbeat_is_fresh(
    compose: dict[str, Any],
) -> None:
    for process, command in deployed_processes().items():
        test = compose["services"][process]["healthcheck"]["test"]
        if command == "api":
            assert "/health/live" in test[3], process
        else:
            assert HEARTBEAT_FILE in test[3] and "st_mtime" in test[3], process


def test_every_compose_service_has_a_healthcheck_and_waits_for_healthy_infrastructure(
    compose: dict[str, Any],
) -> None:
    for name, service in compose["services"].items():
        test = service.get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"
        if test[:3] == ["CMD", "python", "-c"]:
            compile(test[3], f"{name} healthcheck", "exec")
        if "build" not in service:
            continue  # Kafka and MongoDB
        user = str(service["user"]).split(":")[0]
        assert user not in ("0", "root"), name
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        for dependency in service.get("depends_on", {}).values():
            assert dependency["condition"] == "service_healthy", name
        if "profiles" not in service and name != "portal":  # the portal needs only the APIs
            assert set(service["depends_on"]) == {"kafka", "mongo"}, name


def test_compose_hard_codes_no_secret_and_documents_every_variable(
    compose: dict[str, Any],
) -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    env = compose["services"]["catalog-api"]["environment"]
    assert env["OCOP_JWT_SECRET"].startswith("${OCOP_JWT_SECRET:?")
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", text))
    assert used <= documented, f"not in deploy/.env.example: {sorted(used - documented)}"
    assert re.search(r"^OCOP_JWT_SECRET=$", example, flags=re.MULTILINE)


def test_mongo_is_a_replica_set_and_kafka_the_tested_version_in_kraft_mode(
    compose: dict[str, Any],
) -> None:
    mongo = compose["services"]["mongo"]
    assert "--replSet" in mongo["command"]
    assert "rs.initiate" in " ".join(mongo["healthcheck"]["test"])
    assert "replicaSet=" in compose["services"]["orders-api"]["environment"]["MONGODB_URI"]
    from ocop_platform.infra.kafka import KAFKA_VERSION

    # The broker version the test suite runs against (`ocop infra`).
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert "controller" in compose["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]


# --- Dockerfile -----------------------------------------------------------------------------


def test_one_dockerfile_builds_every_image() -> None:
    """The per-service Dockerfiles were near copies of each other: they must not come back."""
    assert DOCKERFILE.is_file()
    others = [p.relative_to(REPO).as_posix() for p in REPO.glob("*/**/Dockerfile")]
    assert others == ["deploy/Dockerfile"], others


def test_the_image_is_slim_non_root_healthchecked_and_keeps_no_secret() -> None:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users, "no USER"
    assert users[-1].split(":")[0] not in ("0", "root")
    assert "--uid 10001" in dockerfile
    assert re.search(r"^HEALTHCHECK\s", dockerfile, flags=re.MULTILINE)
    exec_forms = [
        json.loads(form)  # an exec form must be a JSON array
        for form in re.findall(
            r"^\s*(?:CMD|ENTRYPOINT)\s+(\[.*\])$", dockerfile, flags=re.MULTILINE
        )
    ]
    assert len(exec_forms) == 3  # the health check, the entrypoint, the default command
    health = next(form for form in exec_forms if form[:2] == ["python", "-c"])
    compile(health[2], "HEALTHCHECK", "exec")
    # APIs answer /health/live; workers' health is the heartbeat file
    # ocop_shared.messaging.workers touches.
    assert "/health/live" in health[2]
    assert f"OCOP_HEARTBEAT_FILE={HEARTBEAT_FILE}" in dockerfile
    assert "OCOP_HEARTBEAT_FILE" in health[2] and "st_mtime" in health[2]
    tools = (DEPLOY / "local" / "ensure-tools.sh").read_text(encoding="utf-8")
    uv_version = re.search(r'^UV_VERSION="([^"]+)"', tools, re.M)
    assert uv_version is not None
    assert f"ghcr.io/astral-sh/uv:{uv_version.group(1)}" in dockerfile  # same uv as `make setup`
    assert "python:3.11-slim" in dockerfile
    assert 'uv sync --frozen --no-dev --package "${PACKAGE}" --no-editable' in dockerfile
    assert not re.search(r"^(ENV|ARG)\s+\S*(SECRET|PASSWORD|TOKEN|API_KEY)", dockerfile, re.M)
    assert not re.search(r"(SECRET|PASSWORD|TOKEN|API_KEY)\S*=", dockerfile)
    # The build args reach the entrypoint script through these variables (mirrored below).
    for variable in ("OCOP_PACKAGE=${PACKAGE}", "OCOP_API_FACTORY=${API_FACTORY}"):
        assert variable in dockerfile
    declared = set(re.findall(r"^ARG\s+([A-Z_]+)", dockerfile, flags=re.MULTILINE))
    for image in {service_of(p) for p in system_processes()}:
        assert set(image_build_args(image)) <= declared, image


def _entrypoint_script() -> str:
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    found = re.search(r"<<'SCRIPT' /usr/local/bin/ocop-process\n(.*?)\nSCRIPT\n", dockerfile, re.S)
    assert found is not None, "the ocop-process script is not in the Dockerfile"
    return found.group(1)


class Entrypoint:
    """The image's ocop-process script, run as the image of `image` would run it (its
    build args as the image's environment, its package from the workspace sources) with a
    stand-in `python` that prints its argv instead of starting anything."""

    def __init__(self, tmp_path: Path) -> None:
        self.script = tmp_path / "ocop-process"
        self.script.write_text(_entrypoint_script(), encoding="utf-8")
        fake = tmp_path / "bin" / "python"
        fake.parent.mkdir()
        fake.write_text('#!/bin/sh\necho "$@"\n', encoding="utf-8")
        fake.chmod(0o755)
        self.path = f"{fake.parent}:/usr/bin:/bin"

    def run(self, image: str, *command: str) -> subprocess.CompletedProcess[str]:
        args = image_build_args(image)
        env = {
            "PATH": self.path,
            "PORT": "8000",
            "OCOP_PACKAGE": args["PACKAGE"],
            "OCOP_API_FACTORY": args.get("API_FACTORY", ""),
            "OCOP_PACKAGES_DIR": str(sources_of(image)),
        }
        return subprocess.run(
            ["sh", str(self.script), *command],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=30,
        )


@pytest.fixture
def entrypoint(tmp_path: Path) -> Entrypoint:
    return Entrypoint(tmp_path)


def _contains(argv: list[str], part: list[str]) -> bool:
    return any(argv[i : i + len(part)] == part for i in range(len(argv)))


def test_the_image_entrypoint_starts_exactly_what_ocop_run_starts(entrypoint: Entrypoint) -> None:
    from ocop_platform.cli.system import SYSTEM, ApiProcess
    from ocop_shared.web.serve import UVICORN_LIMITS

    for component in SYSTEM:
        image = service_of(component.name)
        command = system_processes()[component.name]
        result = entrypoint.run(image, command)
        assert result.returncode == 0, f"{component.name}: {result.stderr}"
        argv = result.stdout.split()
        if isinstance(component, ApiProcess):
            assert argv[:4] == ["-m", "uvicorn", "--factory", component.factory], component.name
            assert argv[argv.index("--port") + 1] == "8000"
            # The same bounds on request heads as `ocop run` (ocop_shared.web.serve).
            limits = list(UVICORN_LIMITS)
            assert _contains(argv, limits), f"{component.name}: {argv}"
            assert _contains(component.argv("127.0.0.1", 8000), limits), component.name
        else:
            assert argv == ["-m", component.module], component.name


@pytest.mark.parametrize("image", ["certification", "catalog", "orders", "events", "portal"])
def test_the_entrypoint_starts_the_api_by_default_and_passes_worker_arguments(
    entrypoint: Entrypoint, image: str
) -> None:
    result = entrypoint.run(image)
    assert result.returncode == 0, result.stderr
    factory = image_build_args(image).get("API_FACTORY") or (
        f"ocop_{image}.entrypoints.api:create_app"
    )
    assert result.stdout.split()[:4] == ["-m", "uvicorn", "--factory", factory]
    if image != "portal":
        result = entrypoint.run(image, "relay", "--once")
        assert result.stdout.split() == ["-m", f"ocop_{image}.entrypoints.relay", "--once"]


@pytest.mark.parametrize(
    ("image", "command"),
    [
        ("portal", "relay"),  # the portal image runs no service's workers
        ("orders", "scheduler"),  # certification's worker
        ("catalog", "connectors"),  # orders' worker
        ("catalog", "fake-voso"),  # the stand-ins live in the platform package
        ("orders", "fake-voso"),  # ... not in the orders package
        ("orders", "fake-nobody"),
        ("portal", "fake-nobody"),
        ("events", "../orders/relay"),
    ],
)
def test_the_entrypoint_refuses_a_process_its_image_does_not_have(
    entrypoint: Entrypoint, image: str, command: str
) -> None:
    result = entrypoint.run(image, command)
    assert result.returncode == 64, result.stdout + result.stderr
    assert result.stdout == ""  # python was never started
    assert command in result.stderr and "ocop-process" in result.stderr


def test_the_refusal_lists_the_processes_the_image_has(entrypoint: Entrypoint) -> None:
    stderr = entrypoint.run("catalog", "scheduler").stderr
    assert "ocop_catalog" in stderr and "relay" in stderr and "consumer" in stderr


def test_the_entrypoint_runs_any_other_command_as_given(entrypoint: Entrypoint) -> None:
    result = entrypoint.run("orders", "echo", "xin", "chào")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "xin chào\n"


def test_the_docker_build_context_leaves_out_local_state_and_secrets() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in (".ocop", "**/.venv", "**/.git", "**/.env"):
        assert entry in ignored
    # The portal image serves the event catalogue (the Dockerfile copies it).
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert "COPY docs/asyncapi.html" in dockerfile
    assert '[ "${SERVICE}" = portal ]' in dockerfile  # into the portal image only
    assert ignored.index("!docs/asyncapi.html") > ignored.index("docs")


# --- docs/DEPLOY.md -------------------------------------------------------------------------


def test_the_deploy_guide_documents_every_setting_of_every_service() -> None:
    from pydantic import AliasChoices

    from ocop_catalog.config import CatalogSettings
    from ocop_certification.config import CertificationSettings
    from ocop_events.config import EventsSettings
    from ocop_orders.config import OrdersSettings
    from ocop_platform.portal.config import PortalSettings
    from ocop_shared.settings import ServiceSettings

    guide = (REPO / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    missing = []
    services = (CertificationSettings, CatalogSettings, OrdersSettings, EventsSettings)
    for settings in (*services, PortalSettings):
        prefix = str(settings.model_config.get("env_prefix", ""))
        for name, field in settings.model_fields.items():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                documented = [str(alias.choices[0])]
            elif name in ServiceSettings.model_fields:  # shared, read with the service prefix
                documented = [f"{prefix}{name}".upper(), f"<SERVICE>_{name}".upper()]
            else:
                documented = [f"{prefix}{name}".upper()]
            if not any(f"`{env}`" in guide for env in documented):
                missing.append(documented[0])
    assert not missing, f"settings missing from docs/DEPLOY.md: {missing}"
