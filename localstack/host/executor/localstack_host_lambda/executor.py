"""A LocalStack Lambda runtime executor that runs each execution environment as a host process.

LocalStack's free build only has the Docker executor: it starts a container whose init binary
calls LocalStack back with each result. Here an execution environment is the AWS Lambda Runtime
Interface Emulator (RIE, `aws-lambda-rie`) listening on a loopback port, running Node.js with
`aws-lambda-ric` (the Runtime Interface Client) on the function's unpacked code; `invoke()` posts
the event to the RIE and returns the response itself. Paths come from the environment LocalStack
was started with (localstack/host/server.ts sets them):

- LOCALSTACK_HOST_LAMBDA_RIE: the `aws-lambda-rie` binary;
- LOCALSTACK_HOST_LAMBDA_NODE: the `node` binary every function runs on (whatever its declared runtime);
- LOCALSTACK_HOST_LAMBDA_RIC: aws-lambda-ric's `index.mjs`.

What it does not do: no memory limit, no isolation (the function runs as LocalStack's user with
the host's file system), Node.js runtimes only.
"""

import json
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

LOG = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
PATH_VARIABLES = {
    "rie": "LOCALSTACK_HOST_LAMBDA_RIE",
    "node": "LOCALSTACK_HOST_LAMBDA_NODE",
    "ric": "LOCALSTACK_HOST_LAMBDA_RIC",
}
START_TIMEOUT_S = 10.0
STOP_GRACE_S = 5.0
# The path every RIE serves invocations on.
INVOKE_PATH = "/2015-03-31/functions/function/invocations"


def host_paths(env=os.environ) -> dict[str, str]:
    """The RIE, node and ric paths from `env`; a LambdaRuntimeException names what is missing."""
    paths = {}
    for key, variable in PATH_VARIABLES.items():
        value = env.get(variable, "")
        if not value or not os.path.isfile(value):
            raise LambdaRuntimeException(
                f"{variable} must name the {key} file of host-mode Lambda (got {value!r}): "
                "run `npm run localstack:install` and start LocalStack with startLocalStack()."
            )
        paths[key] = value
    return paths


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def is_error_payload(body: bytes) -> bool:
    """Whether an RIE response is a function error.

    The RIE answers 200 for errors too and drops the runtime's error-type header, so the body
    tells: the Node.js runtime client reports a thrown error as exactly
    {"errorType": str, "errorMessage": str[, "trace": [...]]}. A handler that returns that very
    shape is taken for an error (a known limit of this executor).
    """
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(parsed, dict)
        and isinstance(parsed.get("errorType"), str)
        and isinstance(parsed.get("errorMessage"), str)
        and set(parsed) <= {"errorType", "errorMessage", "trace"}
    )


def rie_command(paths: dict[str, str], rie_port: int, api_port: int, handler: str) -> list[str]:
    """The RIE command line: both its listeners on the loopback host (the RIE's invoke address
    defaults to 0.0.0.0:8080, every interface), the runtime it starts after the addresses."""
    return [
        paths["rie"],
        "--log-level",
        "warn",
        "--runtime-interface-emulator-address",
        f"{LOOPBACK}:{rie_port}",
        "--runtime-api-address",
        f"{LOOPBACK}:{api_port}",
        paths["node"],
        paths["ric"],
        handler,
    ]


def child_pids(pid: int) -> list[int]:
    """The PIDs of a process's children (Linux /proc), e.g. the RIE's Node.js runtime: those of
    every thread, since Go starts processes from any of its threads."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found.extend(int(child) for child in children.read().split())
        except OSError:
            pass
    return found


class HostRuntimeExecutor(RuntimeExecutor):
    """One execution environment: an RIE process (and its Node.js runtime) on loopback ports."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.process: subprocess.Popen | None = None
        self.rie_port: int | None = None
        self.log_path = Path(tempfile.gettempdir()) / f"lambda-host-{id}.log"

    def start(self, env_vars: dict[str, str]) -> None:
        config = self.function_version.config
        if not (config.runtime or "").startswith("nodejs"):
            raise LambdaRuntimeException(
                f"Host-mode Lambda runs Node.js functions only; {self.function_version.id.function_name} "
                f"declares runtime {config.runtime!r}."
            )
        paths = host_paths()
        code_dir = str(config.code.get_unzipped_code_location())
        env = {key: str(value) for key, value in env_vars.items()}
        env.update(
            LAMBDA_TASK_ROOT=code_dir,
            LAMBDA_RUNTIME_DIR=os.path.dirname(paths["ric"]),
            PATH=f"{os.path.dirname(paths['node'])}:/usr/bin:/bin",
        )
        self.rie_port = free_port()
        command = rie_command(paths, self.rie_port, free_port(), config.handler)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=code_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # In LocalStack's process group (not a group of its own), so that whatever stops
                # LocalStack's group (server.ts, launch.py) stops the RIE and Node.js too.
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise LambdaRuntimeException(
                    f"aws-lambda-rie exited with code {self.process.returncode} at start: {self.get_logs()[-2000:]}"
                )
            try:
                socket.create_connection((LOOPBACK, self.rie_port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise LambdaRuntimeException(
                        f"aws-lambda-rie did not listen on {LOOPBACK}:{self.rie_port} within {START_TIMEOUT_S} s."
                    )
                time.sleep(0.05)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        children = child_pids(process.pid)
        # SIGTERM: the RIE stops its runtime and exits; SIGKILL for what is left after the grace.
        process.terminate()
        try:
            process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log_path.unlink(missing_ok=True)

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        timeout_s = int(self.function_version.config.timeout) + 5
        try:
            response = requests.post(
                f"http://{LOOPBACK}:{self.rie_port}{INVOKE_PATH}",
                data=payload["payload"].encode("utf-8"),
                headers={"X-Amzn-RequestId": request_id, "X-Amzn-Trace-Id": payload.get("trace-id", "")},
                timeout=timeout_s,
                proxies={"http": "", "https": ""},
            )
            body, status = response.content, response.status_code
        except requests.RequestException as error:
            body, status = b"", f"no answer ({error})"
        logs = self._logs_from(offset)
        if status == 200:
            return InvocationResult(request_id, body, is_error=is_error_payload(body), logs=logs)
        # 502: the runtime exited (a module that does not load, process.exit); the log says why.
        error = {
            "errorType": "Runtime.ExitError",
            "errorMessage": f"The runtime failed (aws-lambda-rie answered {status}); see the function's log.",
        }
        return InvocationResult(request_id, json.dumps(error).encode(), is_error=True, logs=logs)

    def _logs_from(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as log:
                log.seek(offset)
                return log.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def get_logs(self) -> str:
        return self._logs_from(0)

    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        # LocalStack builds AWS_ENDPOINT_URL from this: the function reaches its gateway on the host.
        return LOOPBACK

    def get_runtime_endpoint(self) -> str:
        # No init binary calls back: invoke() returns the result itself.
        return f"http://{LOOPBACK}:{self.rie_port or 0}/_localstack_lambda/{self.id}"

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        function_version.config.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        try:
            host_paths()
        except LambdaRuntimeException as error:
            LOG.warning("%s", error)
            return False
        return True
