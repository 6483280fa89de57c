"""A throw-away Kubernetes control plane: Debian's etcd and the pinned kube-apiserver.

Only what admission needs runs: no controller manager and no scheduler, so
nothing is reconciled and nothing is scheduled; the API server stores, defaults,
validates (OpenAPI and CEL) and admits (Pod Security, namespace lifecycle,
service accounts) exactly as in a cluster. Both processes die with their owner
(``dying_with_parent``) and their directory is removed on every exit path.
"""

import json
import secrets
import shutil
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Self

from generator.commands.tools import ToolError, tool
from libs.processes import (
    ManagedServer,
    dying_with_parent,
    free_port,
    log_tail,
    stops_on_failure,
    terminate,
    wait_until,
)

ADMISSION_PLUGINS = "NamespaceLifecycle,ServiceAccount,PodSecurity"
START_TIMEOUT_S = 120.0


def _insecure() -> ssl.SSLContext:
    """The serving certificate is self-signed per run; the token is the credential."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class ControlPlane(ManagedServer):
    """etcd + kube-apiserver on free loopback ports, and a kubeconfig for kubectl."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.etcd: subprocess.Popen[bytes] | None = None
        self.apiserver: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.token = secrets.token_hex(16)

    @property
    def kubeconfig(self) -> Path:
        """The kubeconfig of this server (admin token, self-signed TLS)."""
        assert self.directory is not None
        return self.directory / "kubeconfig"

    def _spawn(self, name: str, command: list[str]) -> "subprocess.Popen[bytes]":
        assert self.directory is not None
        log = (self.directory / f"{name}.log").open("wb")
        return subprocess.Popen(dying_with_parent(command), stdout=log, stderr=subprocess.STDOUT)

    def _start_etcd(self) -> str:
        assert self.directory is not None
        client, peer = free_port(), free_port()
        url = f"http://127.0.0.1:{client}"
        self.etcd = self._spawn("etcd", [
            shutil.which("etcd") or "etcd", "--data-dir", str(self.directory / "etcd"),
            "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
            "--initial-cluster", f"default=http://127.0.0.1:{peer}",
        ])  # fmt: skip
        self._wait("etcd", self.etcd, lambda: self._answers(f"{url}/health", None))
        return url

    def _keys(self) -> Path:
        assert self.directory is not None
        key = self.directory / "service-accounts.key"
        subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True,
                       capture_output=True)  # fmt: skip
        return key

    def _answers(self, url: str, token: str | None) -> bool:
        request = urllib.request.Request(url)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=5, context=_insecure()) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _wait(
        self, name: str, process: "subprocess.Popen[bytes]", ready: Callable[[], bool]
    ) -> None:
        assert self.directory is not None
        if not wait_until(ready, START_TIMEOUT_S, lambda: process.poll() is None):
            raise ToolError(
                f"{name} did not become ready:\n{log_tail(self.directory / f'{name}.log')}"
            )

    @stops_on_failure
    def start(self) -> Self:
        """Start etcd, then kube-apiserver, and wait until ``/readyz`` answers."""
        self.directory = Path(tempfile.mkdtemp(prefix="streamflow-apiserver-"))
        etcd_url = self._start_etcd()
        key = self._keys()
        tokens = self.directory / "tokens.csv"
        tokens.write_text(f'{self.token},admin,admin,"system:masters"\n', encoding="utf-8")
        self.port = free_port()
        self.apiserver = self._spawn("kube-apiserver", [
            tool("kube-apiserver"), "--etcd-servers", etcd_url,
            "--bind-address", "127.0.0.1", "--secure-port", str(self.port),
            "--cert-dir", str(self.directory / "certs"), "--token-auth-file", str(tokens),
            "--authorization-mode", "RBAC", "--service-account-issuer", "https://kubernetes.default.svc",
            "--service-account-key-file", str(key), "--service-account-signing-key-file", str(key),
            "--service-cluster-ip-range", "10.43.0.0/16",
            "--enable-admission-plugins", ADMISSION_PLUGINS,
        ])  # fmt: skip
        server = f"https://127.0.0.1:{self.port}"
        self._wait(
            "kube-apiserver", self.apiserver, lambda: self._answers(f"{server}/readyz", self.token)
        )
        self.kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "gate",
            "clusters": [{"name": "gate",
                          "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
            "users": [{"name": "admin", "user": {"token": self.token}}],
            "contexts": [{"name": "gate", "context": {"cluster": "gate", "user": "admin"}}],
        }), encoding="utf-8")  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop kube-apiserver, then etcd, and remove the directory."""
        terminate(self.apiserver)
        terminate(self.etcd)
        self.apiserver = self.etcd = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def kubectl(self, *args: str, stdin: str | None = None) -> "subprocess.CompletedProcess[str]":
        """Run the pinned kubectl against this server."""
        return subprocess.run(
            [tool("kubectl"), "--kubeconfig", str(self.kubeconfig), *args],
            input=stdin, capture_output=True, text=True, check=False,
        )  # fmt: skip
