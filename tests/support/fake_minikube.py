"""A fake minikube: a shell script first on PATH that records each call and answers the few
commands the project asks with canned output (its profiles, its node's images, a Service's URL)."""

import json
from pathlib import Path

import pytest

from support.fake_tools import fake_tool, first_on_path

NODE_URL = "http://192.168.49.2:30080"


def profile_listing(
    cpus: int, memory_mib: int, driver: str = "docker", name: str = "minikube"
) -> str:
    """What ``minikube profile list --output json`` says about one profile."""
    config = {"Name": name, "Driver": driver, "CPUs": cpus, "Memory": memory_mib}
    profile = {"Name": name, "Status": "OK", "Config": config}
    return json.dumps({"invalid": [], "valid": [profile]})


def image_listing(images: dict[str, str]) -> str:
    """What ``minikube image ls --format json`` says about ``images`` (name: id)."""
    return json.dumps([{"id": image_id, "repoTags": [name]} for name, image_id in images.items()])


class FakeMinikube:
    """The fake's canned answers, and the calls it recorded."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.calls = directory / "calls"

    def install(
        self,
        profiles: str | None = None,
        images: str = "[]",
        url: str = NODE_URL,
        fails: str = "",
    ) -> None:
        """Answer ``profile list`` with ``profiles`` (None: no profile, minikube's error),
        ``image ls`` with ``images`` and ``service`` with ``url``; exit 1 on the subcommand
        ``fails``."""
        answers = {"profiles": profiles or "", "images": images, "url": url}
        for name, text in answers.items():
            (self.directory / name).write_text(text)
        no_profile = "echo 'No minikube profile was found' >&2; exit 85"
        listing = f"cat {self.directory / 'profiles'}" if profiles else no_profile
        fake_tool(
            self.directory / "bin",
            "minikube",
            f'echo "$*" >> {self.calls}\n'
            f'[ "$1" = "{fails}" ] && {{ echo "$1 went wrong" >&2; exit 1; }}\n'
            'case "$1 $2" in\n'
            f'  "profile list") {listing} ;;\n'
            f'  "image ls") cat {self.directory / "images"} ;;\n'
            "esac\n"
            f'[ "$1" = service ] && cat {self.directory / "url"}\n'
            "exit 0",
        )

    def recorded(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []


def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeMinikube:
    """A fake minikube first on PATH, with no profile until ``install`` says otherwise."""
    first_on_path(monkeypatch, tmp_path / "bin")
    fake = FakeMinikube(tmp_path)
    fake.install()
    return fake
