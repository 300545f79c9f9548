"""LocalStack's Lambda functions as host processes (LAMBDA_RUNTIME_EXECUTOR=host), no Docker."""

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class HostRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    """The plux plugin LocalStack loads for LAMBDA_RUNTIME_EXECUTOR=host."""

    name = "host"

    def load(self, *args, **kwargs):
        from localstack_host_lambda.executor import HostRuntimeExecutor

        return HostRuntimeExecutor
