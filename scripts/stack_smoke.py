"""The deployable stack of docker/compose.yaml as plain processes, with production settings.

Run by scripts/stack-smoke.sh (and so by CI): a fresh PostgreSQL database on the server of
ADAPTER_TEST_POSTGRES_URL, secrets read from files, no development key or sign-in; then, in the
order compose starts them, the one-shot `migrate`, the API (gunicorn), the outbox worker and the
MLLP listener. It checks /healthz and /readyz, gets a token from /auth/token with a signed client
assertion and reads a member with it, signs in to the web app with a provisioned user, sends an
HL7 v2 ADT message over MLLP and expects AA, then stops every process it started and drops the
database. Exit 0 when every step passed; a failing step prints the processes' logs.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hl7.client
import jwt
import psycopg
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from adapter.config import settings_from_env
from adapter.errors import ConfigurationError
from adapter.security.authenticate import refuse_development_auth_beyond_loopback
from adapter.store.database import create_store_engine
from adapter.store.schema import outbox

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "ltsc-adapter")
DEFAULT_SERVER = "postgresql+psycopg://127.0.0.1:5432/test"
# The whole run stays well under two minutes; each wait has its own, smaller bound.
DEADLINE_S = 110
START_TIMEOUT_S = 45
STOP_TIMEOUT_S = 20
MEMBER_ID = "M100001"  # the member of the first message of samples/hl7v2/adt-events.hl7
PLAN_ID = "CCA-OC"
CLIENT_ID = "smoke-plan-system"
WEB_USER, WEB_PASSWORD = "cc.joseph", "smoke-" + uuid.uuid4().hex
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
START = time.monotonic()


class SmokeFailure(Exception):
    pass


def step(text: str) -> None:
    sys.stdout.write(f"stack-smoke: {text} ({time.monotonic() - START:.1f} s)\n")
    sys.stdout.flush()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)
    if time.monotonic() - START > DEADLINE_S:
        raise SmokeFailure(f"the run took longer than {DEADLINE_S} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(what: str, probe: Callable[[], bool], process: subprocess.Popen | None) -> None:
    limit = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < limit:
        if process is not None and process.poll() is not None:
            raise SmokeFailure(f"{what}: the process exited with {process.returncode}")
        try:
            if probe():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.25)
    raise SmokeFailure(f"{what}: not up after {START_TIMEOUT_S} s")


class Database:
    """A database of its own on the test server, dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.name = f"ltsc_stack_smoke_{os.getpid()}"

    def _admin(self) -> psycopg.Connection:
        url = self.server.set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def create(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def url_without_password(self) -> str:
        url = self.server.set(database=self.name, password=None)
        return url.render_as_string(hide_password=False)


class Stack:
    def __init__(self, work: Path, database: Database) -> None:
        self.work = work
        self.database = database
        self.port = free_port()
        self.mllp_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/fhir"
        self.root = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        secrets = self.work / "secrets"
        secrets.mkdir(mode=0o700)
        # The server trusts local connections, so any password passes; it still goes the
        # production way: from a file, kept out of the URL.
        (secrets / "database-password").write_text("smoke-password\n")
        (secrets / "webapp-secret-key").write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ADAPTER_")}
        return env | {
            "ADAPTER_HOST": "127.0.0.1",
            "ADAPTER_PORT": str(self.port),
            "ADAPTER_BASE_URL": self.base,
            "ADAPTER_WORKERS": "2",
            "ADAPTER_DATA_DIR": str(self.work / "var"),
            "ADAPTER_BULK_EXPORT_DIR": str(self.work / "var" / "bulk-export"),
            "ADAPTER_DATABASE_URL": self.database.url_without_password(),
            "ADAPTER_DATABASE_PASSWORD_FILE": str(secrets / "database-password"),
            "ADAPTER_WEBAPP_SECRET_KEY_FILE": str(secrets / "webapp-secret-key"),
            "ADAPTER_WEBAPP_USERS_FILE": str(self._users_file()),
            "ADAPTER_WEBAPP_DEV_LOGIN": "0",
            "ADAPTER_AUTH_MODE": "on",
            "ADAPTER_AUTH_DEV_ISSUER": "off",
            "ADAPTER_AUTH_SERVER": "on",
            "ADAPTER_VALIDATION_MODE": "reject",
            "ADAPTER_EXCHANGE_PARTNERS_FILE": str(self._partners_file()),
            "ADAPTER_EXCHANGE_IDLE_SECONDS": "1",
            "ADAPTER_LOG_LEVEL": "INFO",
        }

    def _users_file(self) -> Path:
        try:
            from adapter.webapp.users import hash_password
        except ImportError:  # the users file takes werkzeug's password hashes
            from werkzeug.security import generate_password_hash as hash_password

        user = {
            "display_name": "Marie Joseph (Care Coordinator)",
            "org_kind": "plan",
            "org_id": PLAN_ID,
            "staff_id": "CC-0001",
            "password_hash": hash_password(WEB_PASSWORD),
        }
        path = self.work / "web-users.yaml"
        path.write_text(json.dumps({WEB_USER: user}, indent=2))  # JSON is YAML
        return path

    def _partners_file(self) -> Path:
        """One partner whose key exists; nothing listens at its address, so deliveries wait."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_path = self.work / "secrets" / "partner-ehr.pem"
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        partner = {
            "id": "smoke-ehr",
            "base_url": f"http://127.0.0.1:{free_port()}/fhir",
            "resource_types": ["Patient", "CareTeam", "CarePlan", "Task"],
            "members": {"plans": [PLAN_ID]},
            "delivery": "transaction",
            "auth": {
                "kind": "smart-backend",
                "client_id": "ltsc-adapter",
                "private_key_file": str(key_path),
                "kid": "smoke-1",
                "alg": "RS384",
                "scope": "system/Patient.cu",
            },
        }
        path = self.work / "partners.yaml"
        path.write_text(json.dumps({"partners": [partner]}, indent=2))
        return path

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own CLI
            [CLI, *args],
            env=self.env,
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = self.work / f"{name}.log"
        self.logs[name] = log
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 - our own CLI
                [CLI, *args],
                env=self.env,
                cwd=self.work,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: gunicorn's workers stop too
            )
        self.processes[name] = process
        return process

    def stop(self) -> dict[str, int | None]:
        """SIGTERM (SIGINT for the MLLP listener, as compose's stop_signal), then wait."""
        codes: dict[str, int | None] = {}
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                sig = signal.SIGINT if name == "mllp" else signal.SIGTERM
                os.killpg(process.pid, sig)
        for name, process in self.processes.items():
            try:
                codes[name] = process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                codes[name] = None
        return codes

    def print_logs(self) -> None:
        for name, path in self.logs.items():
            text = path.read_text(errors="replace") if path.exists() else ""
            sys.stdout.write(f"----- {name} log (last 40 lines) -----\n")
            sys.stdout.write("\n".join(text.splitlines()[-40:]) + "\n")


def sample_export(work: Path) -> Path:
    """The sample plan export cut down to the member the ADT message is about, and one more."""
    export = json.loads((ROOT / "samples" / "plan-export.json").read_text())
    members = export["members"]
    keep = [m for m in members if m["member"].get("member_id") == MEMBER_ID] or members[:1]
    keep += [m for m in members if m not in keep][:1]
    small = copy.deepcopy(export) | {"members": keep}
    path = work / "plan-export.json"
    path.write_text(json.dumps(small))
    return path


def client_key_pair(work: Path) -> tuple[Any, Path]:
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwks = {"keys": [public | {"kid": "smoke-1", "alg": "ES384", "use": "sig"}]}
    path = work / "client-jwks.json"
    path.write_text(json.dumps(jwks))
    return key, path


def client_assertion(key: Any, token_url: str) -> str:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": token_url,
        "exp": now + 240,
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": "smoke-1"})


def smoke(stack: Stack, work: Path) -> None:
    # The same settings with the development key on a public address are refused at start-up
    # (tests/api/test_startup_refusal.py runs `serve` for it); without it they pass.
    public = stack.env | {"ADAPTER_HOST": "0.0.0.0"}  # noqa: S104 - checked, never bound
    refuse_development_auth_beyond_loopback(settings_from_env(public))
    try:
        refuse_development_auth_beyond_loopback(
            settings_from_env(public | {"ADAPTER_AUTH_DEV_ISSUER": "on"})
        )
    except ConfigurationError:
        pass
    else:
        raise SmokeFailure("the development key was not refused on 0.0.0.0")
    step("production settings pass the start-up check on 0.0.0.0; the development key does not")

    # 1. The one-shot migrations service, before anything else touches the database.
    migrated = stack.run("migrate")
    check(migrated.returncode == 0, f"migrate failed: {migrated.stderr}{migrated.stdout}")
    step(f"migrate: {migrated.stdout.strip()}")

    # Operator tasks: load a plan export, register a backend-services client.
    ingested = stack.run("ingest", str(sample_export(work)))
    check(ingested.returncode == 0, f"ingest failed: {ingested.stderr}")
    key, jwks_path = client_key_pair(work)
    added = stack.run(
        "clients", "add", CLIENT_ID, "--org-kind", "plan", "--org-id", PLAN_ID,
        "--scope", "system/Patient.rs", "--scope", "system/CarePlan.rs", "--jwks", str(jwks_path),
    )  # fmt: skip
    check(added.returncode == 0, f"clients add failed: {added.stderr}")
    step("plan export ingested, client registered")

    # 2. The API, the worker and the MLLP listener, as compose starts them after `migrate`.
    api = stack.start("api", "serve")
    worker = stack.start("worker", "worker")
    mllp = stack.start("mllp", "mllp", "--host", "127.0.0.1", "--port", str(stack.mllp_port))
    http = requests.Session()
    wait_for("API /healthz", lambda: http.get(f"{stack.root}/healthz", timeout=5).ok, api)
    ready = http.get(f"{stack.root}/readyz", timeout=10)
    check(ready.status_code == 200, f"/readyz: {ready.status_code} {ready.text}")
    check(ready.json()["resourceType"] == "OperationOutcome", "/readyz: not an OperationOutcome")
    step("API up: /healthz 200, /readyz 200")

    def mllp_accepts() -> bool:
        with socket.create_connection(("127.0.0.1", stack.mllp_port), timeout=2):
            return True

    wait_for("MLLP listener", mllp_accepts, mllp)

    # 3. A token from the authorization server, then a member read with it.
    config = http.get(f"{stack.base}/.well-known/smart-configuration", timeout=10).json()
    token_url = config["token_endpoint"]
    form = {
        "grant_type": "client_credentials",
        "scope": "system/Patient.rs",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(key, token_url),
    }
    answer = http.post(token_url, data=form, timeout=30)
    check(answer.status_code == 200, f"/auth/token: {answer.status_code} {answer.text}")
    token = answer.json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    query = {"identifier": MEMBER_ID}
    found = http.get(f"{stack.base}/Patient", params=query, headers=bearer, timeout=30)
    check(found.status_code == 200, f"Patient search: {found.status_code} {found.text}")
    entries = found.json().get("entry") or []
    check(len(entries) == 1, f"Patient?identifier={MEMBER_ID}: {len(entries)} entries")
    patient_id = entries[0]["resource"]["id"]
    read = http.get(f"{stack.base}/Patient/{patient_id}", headers=bearer, timeout=30)
    check(read.status_code == 200, f"Patient read: {read.status_code} {read.text}")
    check(read.json()["resourceType"] == "Patient", "Patient read: not a Patient")
    anonymous = http.get(f"{stack.base}/Patient/{patient_id}", timeout=30)
    check(anonymous.status_code == 401, f"a read without a token got {anonymous.status_code}")
    step(f"token from /auth/token reads Patient/{patient_id}; no token: 401")

    # 4. The web app with a provisioned user and the secret from its file.
    web = requests.Session()
    page = web.get(f"{stack.root}/app/sign-in", timeout=30)
    csrf = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    check(page.status_code == 200 and csrf is not None, f"sign-in page: {page.status_code}")
    signed = web.post(
        f"{stack.root}/app/sign-in",
        data={"csrf_token": csrf.group(1), "user": WEB_USER, "password": WEB_PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    check(signed.status_code in (302, 303), f"web sign-in: {signed.status_code}")
    step("web app: the provisioned user signs in")

    # 5. An HL7 v2 ADT message over MLLP, answered AA.
    message = (ROOT / "samples" / "hl7v2" / "adt-events.hl7").read_text().split("\n\n")[0]
    with hl7.client.MLLPClient("127.0.0.1", stack.mllp_port) as client:
        ack = client.send_message(message.strip().replace("\n", "\r")).decode()
    msa = next((s for s in ack.split("\r") if s.startswith("MSA|")), "")
    check(msa.startswith("MSA|AA|"), f"ADT over MLLP: {msa or ack!r}")
    step(f"ADT^A01 over MLLP: {msa}")

    # The worker is up (the partners file's key exists) and the API sees every process.
    check(worker.poll() is None, f"the worker exited with {worker.returncode}")
    check(api.poll() is None and mllp.poll() is None, "a service exited")
    engine = create_store_engine(settings_from_env(stack.env).database_url)
    try:
        with engine.connect() as conn:
            queued = conn.scalar(select(func.count()).where(outbox.c.destination == "smoke-ehr"))
    finally:
        engine.dispose()
    check(bool(queued), "no delivery was queued for the partner")
    check(not (work / "var" / "dev-auth").exists(), "a development key was created")
    step(f"worker running, {queued} deliveries queued for the partner; no development key")


def _stop_on_signal(signum: int, _frame: Any) -> None:
    """SIGTERM or SIGHUP (e.g. a CI time-out) still stops the services and drops the database:
    they run in process groups of their own, which a signal to this one does not reach."""
    raise SystemExit(128 + signum)


def main() -> int:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    server = os.environ.get("ADAPTER_TEST_POSTGRES_URL") or DEFAULT_SERVER
    database = Database(server)
    work = Path(tempfile.mkdtemp(prefix="ltsc-stack-smoke-"))
    stack = None
    ok = False
    try:
        database.create()
        stack = Stack(work, database)
        smoke(stack, work)
        ok = True
    except (SmokeFailure, subprocess.TimeoutExpired, requests.RequestException, OSError) as exc:
        sys.stdout.write(f"stack-smoke: FAILED: {exc}\n")
    except SystemExit:
        sys.stdout.write("stack-smoke: interrupted; stopping the services\n")
        raise
    finally:
        if stack is not None:
            codes = stack.stop()
            if ok and any(code != 0 for code in codes.values()):
                sys.stdout.write(f"stack-smoke: FAILED: unclean stop, exit codes {codes}\n")
                ok = False
            if not ok:
                stack.print_logs()
            else:
                step(f"stopped cleanly: {codes}")
        database.drop()
        shutil.rmtree(work, ignore_errors=True)
    step("passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
