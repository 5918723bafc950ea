"""docker/ agrees with the code, without a Docker engine: the services and their order, real CLI
commands and settings, health checks on real routes, secrets from files, files that exist, a
non-root image installed from the runtime lock, and settings `serve` accepts beyond loopback."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from adapter.api.health import health
from adapter.cli import build_parser
from adapter.config import PROJECT_ROOT, SECRET_SETTINGS, Settings, settings_from_env
from adapter.security.authenticate import refuse_development_auth_beyond_loopback
from adapter.webapp.users import load_users

DOCKER = PROJECT_ROOT / "docker"
SETTING_VARIABLES = {f"ADAPTER_{f.name.upper()}" for f in fields(Settings)}
FILE_VARIABLES = {f"ADAPTER_{name.upper()}_FILE" for name in SECRET_SETTINGS}
ADAPTER_SERVICES = {"migrate": "migrate", "api": "serve", "worker": "worker", "mllp": "mllp"}
WRITERS = ("api", "worker", "mllp")


def compose() -> dict[str, Any]:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def services() -> dict[str, Any]:
    return compose()["services"]


def dockerfile_lines() -> list[str]:
    text = (DOCKER / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def instruction(name: str) -> list[str]:
    return [line.split(" ", 1)[1] for line in dockerfile_lines() if line.startswith(name + " ")]


def is_cli_command(argv: list[str]) -> bool:
    """The argv is `ltsc-adapter <command> ...` and the CLI's parser accepts it."""
    if argv[0] != "ltsc-adapter":
        return False
    try:
        build_parser().parse_args(argv[1:])
    except SystemExit:
        return False
    return True


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host source of the service's bind mounts and secrets."""
    found = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        found[target] = source
    for secret in service.get("secrets", []):
        found[f"/run/secrets/{secret}"] = f"secret:{secret}"
    return found


def test_the_stack_is_postgres_migrate_api_worker_and_mllp():
    assert set(services()) == {"postgres", *ADAPTER_SERVICES}
    assert services()["postgres"]["image"].startswith("postgres:")


@pytest.mark.parametrize("name", sorted(ADAPTER_SERVICES))
def test_each_adapter_service_runs_a_real_cli_command_from_this_image(name):
    service = services()[name]
    argv = service["command"]
    assert is_cli_command(argv), argv
    assert argv[1] == ADAPTER_SERVICES[name]
    assert service["image"] == "ltsc-adapter:latest"
    assert service["build"]["dockerfile"] == "docker/Dockerfile"
    assert (DOCKER / service["build"]["context"] / "docker" / "Dockerfile").exists()


def test_migrations_run_once_after_postgres_and_before_every_other_service():
    migrate = services()["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in WRITERS:
        depends = services()[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name


def test_the_api_health_check_calls_readyz_a_route_the_app_serves():
    [probe] = [part for part in services()["api"]["healthcheck"]["test"] if "urlopen" in part]
    url = re.search(r"'(http://127\.0\.0\.1:(\d+)(/\w+))'", probe)
    assert url is not None
    assert url.group(2) == services()["api"]["environment"]["ADAPTER_PORT"]
    assert url.group(3) == "/readyz"
    app = Flask("routes")
    app.register_blueprint(health)
    assert {"/healthz", "/readyz"} <= {rule.rule for rule in app.url_map.iter_rules()}


def test_postgres_and_the_mllp_listener_have_health_checks():
    assert "pg_isready" in " ".join(services()["postgres"]["healthcheck"]["test"])
    mllp = services()["mllp"]
    probe = " ".join(mllp["healthcheck"]["test"])
    port = mllp["command"][mllp["command"].index("--port") + 1]
    assert f"('127.0.0.1', {port})" in probe
    assert f"127.0.0.1:{port}:{port}" in mllp["ports"]
    assert mllp["stop_signal"] == "SIGINT"  # the listener stops cleanly on KeyboardInterrupt


@pytest.mark.parametrize("name", sorted(ADAPTER_SERVICES))
def test_services_set_only_settings_the_adapter_reads_and_no_secret_in_clear(name):
    environment = services()[name]["environment"]
    variables = {k for k in environment if k.startswith("ADAPTER_")}
    assert variables <= SETTING_VARIABLES | FILE_VARIABLES
    assert "ADAPTER_DATABASE_PASSWORD" not in variables
    assert "ADAPTER_WEBAPP_SECRET_KEY" not in variables
    url = environment["ADAPTER_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://adapter@postgres:5432/")  # no password in it
    for key in variables & FILE_VARIABLES:
        assert environment[key] in mounts(services()[name]), f"{name}: {key} is not mounted"


@pytest.mark.parametrize("name", sorted(ADAPTER_SERVICES))
def test_services_settings_pass_start_up_beyond_loopback(name):
    """Read as the container reads them (files aside): `serve`'s loopback rule lets them by."""
    environment = {
        k: str(v)
        for k, v in services()[name]["environment"].items()
        if k.startswith("ADAPTER_") and k not in FILE_VARIABLES
    }
    settings = settings_from_env(environment | {"ADAPTER_HOST": "0.0.0.0"})  # noqa: S104
    assert settings.auth_mode == "on"
    assert settings.auth_dev_issuer == "off"
    assert settings.webapp_dev_login == 0
    refuse_development_auth_beyond_loopback(settings)


def test_the_api_gets_its_web_users_and_session_secret_from_files():
    api = services()["api"]
    environment = api["environment"]
    users = mounts(api)[environment["ADAPTER_WEBAPP_USERS_FILE"]]
    assert load_users(DOCKER / users) == {}  # valid, and nobody until the operator adds users
    assert environment["ADAPTER_WEBAPP_SECRET_KEY_FILE"] == "/run/secrets/webapp-secret-key"


def test_secrets_are_files_the_provisioning_script_creates_and_git_ignores():
    declared = compose()["secrets"]
    script = (DOCKER / "provision-secrets.sh").read_text()
    [names] = re.findall(r"for name in ([\w -]+); do", script)
    assert set(names.split()) == set(declared)
    for name, secret in declared.items():
        assert secret["file"] == f"./secrets/{name}"
    assert "docker/secrets/" in (PROJECT_ROOT / ".gitignore").read_text().split()
    assert "docker/secrets" in (DOCKER / "Dockerfile.dockerignore").read_text().split()
    for service in services().values():
        assert set(service.get("secrets", [])) <= set(declared)
    assert services()["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == (
        "/run/secrets/postgres-password"
    )


def test_bind_mounts_name_files_that_exist():
    for name, service in services().items():
        for target, source in mounts(service).items():
            if source.startswith("."):
                assert (DOCKER / source).is_file(), f"{name}: {source} -> {target}"


def _partner_files(partner: dict[str, Any]) -> list[str]:
    sections = [partner.get("auth") or {}, partner.get("tls") or {}]
    keys = ("private_key_file", "ca_bundle", "client_cert", "client_key")
    return [section[key] for section in sections for key in keys if section.get(key)]


def test_the_partners_file_names_only_files_and_variables_its_readers_have():
    """A partner whose key is missing would stop the worker (a restart loop)."""
    for name in WRITERS:
        service = services()[name]
        path = service["environment"]["ADAPTER_EXCHANGE_PARTNERS_FILE"]
        source = mounts(service)[path]
        registry = yaml.safe_load((DOCKER / source).read_text()) or {}
        for partner in registry.get("partners") or []:
            for file in _partner_files(partner):
                assert file in mounts(service), f"{name}: partner {partner['id']} needs {file}"
            auth = partner.get("auth") or {}
            for key in ("client_secret_env", "token_env"):
                if auth.get(key):
                    assert auth[key] in service["environment"], f"{name}: {auth[key]}"


def test_ports_are_published_on_loopback_only():
    for service in services().values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_dockerfile_builds_on_python_311_slim_as_a_non_root_user():
    assert instruction("FROM") == ["python:3.11-slim"]
    [user] = instruction("USER")
    assert user not in ("root", "0")
    assert any("useradd" in run and user in run for run in instruction("RUN"))
    # USER comes before CMD: every service of the image runs as that user.
    lines = dockerfile_lines()
    assert lines.index(f"USER {user}") < next(
        i for i, line in enumerate(lines) if line.startswith("CMD ")
    )


def test_dockerfile_installs_exactly_the_runtime_lock():
    copied = [line.split() for line in instruction("COPY")]
    assert ["requirements/runtime.lock", "requirements/runtime.lock"] in copied
    runs = instruction("RUN")
    [locked] = [run for run in runs if "runtime.lock" in run]
    words = shlex.split(locked)
    assert {"--require-hashes", "--no-deps"} <= set(words)
    [project] = [run for run in runs if "--editable ." in run]
    assert "--no-deps" in shlex.split(project)  # nothing but the lock's versions


def test_dockerfile_cmd_is_the_serve_command():
    [cmd] = instruction("CMD")
    argv = json.loads(cmd)
    assert argv == ["ltsc-adapter", "serve"]
    assert is_cli_command(argv)


def test_dockerfile_copies_what_the_adapter_reads_at_run_time():
    copied = {line.split()[0] for line in instruction("COPY")}
    assert {"pyproject.toml", "adapter", "profiles", "mappings", "samples"} <= copied
    assert all((PROJECT_ROOT / path).exists() for path in copied)


def test_dockerfile_sets_only_real_settings_with_production_defaults():
    text = " ".join(instruction("ENV"))
    variables = dict(re.findall(r"(ADAPTER_[A-Z_]+)=(\S+)", text))
    assert set(variables) <= SETTING_VARIABLES
    assert variables["ADAPTER_AUTH_DEV_ISSUER"] == "off"
    refuse_development_auth_beyond_loopback(settings_from_env(variables))


def test_docker_readme_describes_every_service_and_the_rules():
    text = (DOCKER / "README.md").read_text()
    for name in services():
        assert f"`{name}`" in text, name
    for words in (
        "/healthz",
        "/readyz",
        "loopback",
        "provision-secrets.sh",
        "ltsc-adapter migrate",
    ):
        assert words in text, words
    assert Path(PROJECT_ROOT / "scripts" / "stack-smoke.sh").exists()
