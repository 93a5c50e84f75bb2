"""The deployment recipes (README, "Deploy"). No container daemon runs here, so: the Dockerfile's
install step (deploy/install.sh) is run from the built wheel into a fresh virtualenv, and the
installed bot is started the way the image starts it and answers its probes; the Dockerfile,
compose.yaml and the Kubernetes manifests are checked for their structure and for agreeing with
the bot (ports, probe paths, the settings it requires, no secret written down)."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
from pathlib import Path

import yaml

from tests.test_cli import base_env, first_readyz, free_port
from tests.test_packaging import wheel  # noqa: F401 - the fixture building the wheel

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "kubernetes"
PORT = 3000
REQUIRED = {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}  # HTTP mode (see bot/settings.py)


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def _k8s(name: str) -> dict:
    return yaml.safe_load((K8S / name).read_text())


def test_the_image_is_multi_stage_non_root_and_checks_livez() -> None:
    steps = _dockerfile()
    stages = [args for op, args in steps if op == "FROM"]
    assert len(stages) >= 2 and "AS build" in stages[0]
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    user = [args for op, args in final if op == "USER"]
    assert user and user[-1] not in ("root", "0")
    [healthcheck] = [args for op, args in final if op == "HEALTHCHECK"]
    assert f"127.0.0.1:{PORT}/livez" in healthcheck
    [cmd] = [json.loads(args) for op, args in final if op == "CMD"]
    assert cmd[:3] == ["furikaeri", "run", "--http"] and cmd[cmd.index("--port") + 1] == str(PORT)
    assert [args for op, args in final if op == "EXPOSE"] == [str(PORT)]
    runs = " ".join(args for op, args in steps if op == "RUN")
    assert "furikaeri-install /wheels /opt/furikaeri" in runs  # deploy/install.sh, tested below


def test_compose_runs_the_bot_on_postgres_with_secrets_from_the_environment() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    bot, postgres = compose["services"]["bot"], compose["services"]["postgres"]
    env = bot["environment"]
    assert set(env) >= REQUIRED
    for name in REQUIRED:
        assert re.fullmatch(rf"\$\{{{name}:\?[^}}]*\}}", env[name]), f"{name} must come from env"
    assert env["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert f"{PORT}:{PORT}" in bot["ports"]


def test_kubernetes_runs_two_replicas_with_probes_a_secret_and_a_service() -> None:
    kustomization = _k8s("kustomization.yaml")
    for resource in kustomization["resources"]:
        assert (K8S / resource).is_file(), resource
    deployment, service = _k8s("deployment.yaml"), _k8s("service.yaml")
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    [container] = pod["containers"]
    [port] = container["ports"]
    assert port["containerPort"] == PORT
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    [generated] = kustomization["secretGenerator"]
    assert container["envFrom"] == [{"secretRef": {"name": generated["name"]}}]
    example = (K8S / "secret.example.env").read_text()
    keys = {
        line.split("=", 1)[0] for line in example.splitlines() if "=" in line and line[0] != "#"
    }
    assert REQUIRED | {"DATABASE_URL"} <= keys
    assert "secret.env" in (ROOT / ".gitignore").read_text()


def test_every_setting_the_recipes_name_is_one_the_bot_reads() -> None:
    sources = (ROOT / "bot" / "settings.py", ROOT / "bot" / "logs.py")
    read = {
        name
        for source in sources
        for name in re.findall(r'env(?:\.get\(|\[)"([A-Z_]+)"', source.read_text())
    }
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    named = set(compose["services"]["bot"]["environment"])
    example = (K8S / "secret.example.env").read_text().splitlines()
    named |= {line.split("=", 1)[0] for line in example if "=" in line and line[0] != "#"}
    assert named <= read, named - read


async def test_the_install_step_from_the_wheel_gives_a_bot_that_starts(wheel, tmp_path, fake_slack):  # noqa: F811
    venv = tmp_path / "venv"
    installed = await asyncio.to_thread(
        subprocess.run,
        [str(ROOT / "deploy" / "install.sh"), str(wheel.parent), str(venv)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    port = free_port()
    [cmd] = [json.loads(args) for op, args in _dockerfile() if op == "CMD"]
    cmd[cmd.index("--port") + 1], cmd[cmd.index("--host") + 1] = str(port), "127.0.0.1"
    cmd[0] = str(venv / "bin" / cmd[0])  # the image puts the venv first on PATH
    env = base_env(
        SLACK_BOT_TOKEN="xoxb-image",
        SLACK_SIGNING_SECRET="image-secret",
        SLACK_API_URL=fake_slack.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'furikaeri.db'}",
        LOG_FORMAT="json",
        PATH=f"{venv / 'bin'}:/usr/bin:/bin",
    )
    env.pop("PYTHONPATH", None)
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert (await first_readyz(f"http://127.0.0.1:{port}", proc, attempts=400))[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert all(json.loads(line) for line in err.decode().splitlines() if line.strip())
