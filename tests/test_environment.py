"""environment.yml (conda) and pyproject.toml (pip/uv) describe the same stack."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis.data.io import REPO_ROOT

_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    name, spec = _SPEC.match(requirement).groups()
    spec = spec.replace(" ", "")
    # conda writes an exact pin as "=1.0" or "==1.0"; pip as "==1.0"
    spec = re.sub(r"(?<![<>=!])=(?!=)", "==", spec)
    return name.lower().replace("_", "-"), ",".join(sorted(spec.split(","))) if spec else ""


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return dict(_normalise(r) for r in requirements)


def _environment() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip += entry["pip"]
        else:
            conda.append(entry)
    listed = [e for e in conda + pip if not e.startswith("-e")]
    deps = dict(_normalise(e) for e in listed)
    return deps, pip


def test_same_dependencies_and_versions():
    deps, _ = _environment()
    python = deps.pop("python")
    deps.pop("pip")
    assert python == ">=3.11"
    assert deps == _pyproject()


def test_environment_installs_the_package_last():
    _, pip = _environment()
    assert pip[-1] == "-e ."


def test_python_requirement_matches():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


def test_lock_pins_every_dependency():
    lock = (REPO_ROOT / "requirements.lock").read_text()
    pinned = {m.lower() for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", lock, flags=re.M)}
    pinned = {p.replace("_", "-") for p in pinned}
    missing = sorted(set(_pyproject()) - pinned)
    assert missing == []


def test_lock_pins_satisfy_pyproject():
    from packaging.requirements import Requirement

    lock = (REPO_ROOT / "requirements.lock").read_text()
    pins: dict[str, list[str]] = {}
    for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", lock, flags=re.M):
        pins.setdefault(name.lower().replace("_", "-"), []).append(version)
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    for text in project["dependencies"] + project["optional-dependencies"]["dev"]:
        requirement = Requirement(text)
        versions = pins[requirement.name.lower().replace("_", "-")]
        # the universal lock may pin one version per Python range: every one must fit
        assert all(requirement.specifier.contains(v) for v in versions), (text, versions)
