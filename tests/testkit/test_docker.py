"""docker/ agrees with the code: real CLI commands, real settings, files the image needs."""

from __future__ import annotations

import json
import re
from dataclasses import fields

import pytest
import yaml

from adapter.cli import build_parser
from adapter.config import PROJECT_ROOT, Settings

DOCKER = PROJECT_ROOT / "docker"
SETTING_VARIABLES = {f"ADAPTER_{f.name.upper()}" for f in fields(Settings)}


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


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


def test_dockerfile_builds_on_python_311_slim_as_a_non_root_user():
    assert instruction("FROM") == ["python:3.11-slim"]
    [user] = instruction("USER")
    assert user not in ("root", "0")
    assert any(user in run for run in instruction("RUN"))  # the user is created


def test_dockerfile_cmd_is_the_serve_command():
    [cmd] = instruction("CMD")
    argv = json.loads(cmd)
    assert argv == ["ltsc-adapter", "serve"]
    assert is_cli_command(argv)


def test_dockerfile_copies_what_the_adapter_reads_at_run_time():
    copied = {line.split()[0] for line in instruction("COPY")}
    assert {"pyproject.toml", "adapter", "profiles", "mappings", "samples"} <= copied
    assert all((PROJECT_ROOT / path).exists() for path in copied)


def test_dockerfile_sets_only_real_settings():
    variables = set(re.findall(r"(ADAPTER_[A-Z_]+)=", " ".join(instruction("ENV"))))
    assert variables
    assert variables <= SETTING_VARIABLES


def test_compose_has_the_adapter_postgres_and_worker():
    services = compose()["services"]
    assert set(services) == {"adapter", "postgres", "worker"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["adapter"]["build"]["dockerfile"] == "docker/Dockerfile"
    assert (DOCKER / services["adapter"]["build"]["context"] / "docker" / "Dockerfile").exists()


@pytest.mark.parametrize("service", ["adapter", "worker"])
def test_compose_service_runs_a_real_cli_command(service):
    argv = compose()["services"][service]["command"]
    assert is_cli_command(argv)
    assert argv[1] == {"adapter": "serve", "worker": "worker"}[service]


@pytest.mark.parametrize("service", ["adapter", "worker"])
def test_compose_service_sets_only_settings_the_adapter_reads(service):
    environment = compose()["services"][service]["environment"]
    adapter_variables = {k for k in environment if k.startswith("ADAPTER_")}
    assert "ADAPTER_DATABASE_URL" in adapter_variables
    assert adapter_variables <= SETTING_VARIABLES
    assert environment["ADAPTER_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in environment["ADAPTER_DATABASE_URL"]


def test_compose_mounts_files_that_exist():
    for service in compose()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DOCKER / source).exists(), source


def test_docker_readme_says_it_is_the_alternative_deployment():
    text = (DOCKER / "README.md").read_text()
    assert "alternative" in text
    assert "./scripts/run.sh" in text
