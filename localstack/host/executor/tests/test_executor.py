"""The host executor against the real RIE, Node.js and aws-lambda-ric (paths from the
LOCALSTACK_HOST_LAMBDA_* variables, as LocalStack gets them). Run by test/localstack/executor.test.ts:

    .local/localstack/venv/bin/python -m pytest localstack/host/executor/tests
"""

import json
import os
import socket
import uuid
from types import SimpleNamespace

import pytest
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException
from localstack_host_lambda import HostRuntimeExecutorPlugin
from localstack_host_lambda.executor import HostRuntimeExecutor, child_pids, host_paths, is_error_payload

HANDLER = """
export const handler = async (event) => {
  if (event.throw) throw new TypeError('bad event');
  if (event.exit) process.exit(3);
  console.log('handling', event.n);
  return { n: event.n, endpoint: process.env.AWS_ENDPOINT_URL, taskRoot: process.env.LAMBDA_TASK_ROOT,
           custom: process.env.CUSTOM, cwd: process.cwd() };
};
"""


def function_version(code_dir, handler="index.handler", runtime="nodejs22.x", timeout=10):
    config = SimpleNamespace(
        runtime=runtime,
        handler=handler,
        timeout=timeout,
        code=SimpleNamespace(get_unzipped_code_location=lambda: code_dir, prepare_for_execution=lambda: None),
    )
    return SimpleNamespace(config=config, id=SimpleNamespace(function_name="fn"))


def invoke(executor, event):
    return executor.invoke(
        {"invoke-id": str(uuid.uuid4()), "payload": json.dumps(event), "trace-id": "Root=1-0-0;Parent=0;Sampled=0"}
    )


@pytest.fixture
def code_dir(tmp_path):
    (tmp_path / "index.mjs").write_text(HANDLER)
    return tmp_path


@pytest.fixture
def executor(code_dir, monkeypatch, tmp_path_factory):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path_factory.mktemp("logs")))
    started = HostRuntimeExecutor(uuid.uuid4().hex, function_version(code_dir))
    started.start({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "CUSTOM": "yes", "AWS_LAMBDA_FUNCTION_TIMEOUT": 10})
    yield started
    started.stop()


def listening_addresses(port):
    """The local addresses of the TCP sockets listening on `port` (from /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:
                    found.append(address)
    return found


def test_the_plugin_loads_the_executor_class():
    assert HostRuntimeExecutorPlugin.name == "host"
    assert HostRuntimeExecutorPlugin().load() is HostRuntimeExecutor


def test_runs_the_handler_with_the_function_environment(executor, code_dir):
    result = invoke(executor, {"n": 1})
    assert not result.is_error
    body = json.loads(result.payload)
    assert body == {
        "n": 1,
        "endpoint": "http://127.0.0.1:4566",
        "taskRoot": str(code_dir),
        "custom": "yes",
        "cwd": str(code_dir),
    }
    assert "handling 1" in result.logs
    # The same process serves the next invocation (a warm environment).
    assert json.loads(invoke(executor, {"n": 2}).payload)["n"] == 2


def test_a_thrown_error_is_a_function_error(executor):
    result = invoke(executor, {"throw": True})
    assert result.is_error
    assert json.loads(result.payload)["errorType"] == "TypeError"
    assert json.loads(result.payload)["errorMessage"] == "bad event"


def test_a_runtime_that_exits_is_a_function_error(executor):
    result = invoke(executor, {"exit": True})
    assert result.is_error
    assert json.loads(result.payload)["errorType"] == "Runtime.ExitError"


def test_a_missing_handler_module_is_a_function_error(code_dir, monkeypatch):
    executor = HostRuntimeExecutor(uuid.uuid4().hex, function_version(code_dir, handler="missing.handler"))
    executor.start({})
    try:
        result = invoke(executor, {"n": 1})
        assert result.is_error
        assert "missing" in result.logs
    finally:
        executor.stop()


def test_listens_on_the_loopback_host_only_and_stop_ends_the_processes(executor):
    port = executor.rie_port
    assert listening_addresses(port) == ["0100007F"]
    pid = executor.process.pid
    invoke(executor, {"n": 1})
    runtime = child_pids(pid)
    assert len(runtime) == 1
    executor.stop()
    for gone in [pid, *runtime]:
        with pytest.raises(ProcessLookupError):
            os.kill(gone, 0)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_refuses_a_runtime_other_than_node(code_dir):
    executor = HostRuntimeExecutor("x", function_version(code_dir, runtime="python3.13"))
    with pytest.raises(LambdaRuntimeException, match="Node.js functions only"):
        executor.start({})


def test_names_the_variable_of_a_missing_binary():
    with pytest.raises(LambdaRuntimeException, match="LOCALSTACK_HOST_LAMBDA_RIE"):
        host_paths({})


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"errorType":"Error","errorMessage":"boom","trace":[]}', True),
        (b'{"errorType":"Error","errorMessage":"boom"}', True),
        (b'{"errorType":"Error","errorMessage":"boom","batchItemFailures":[]}', False),
        (b'{"batchItemFailures":[]}', False),
        (b'"errorType"', False),
        (b"not json", False),
        (b"", False),
    ],
)
def test_error_payloads(body, expected):
    assert is_error_payload(body) is expected
