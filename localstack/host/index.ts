/**
 * LocalStack on the host, without Docker: install it into a pinned venv, start it on a loopback
 * port, stop it by its PID. Tests and scripts import from here.
 */
export {
  LocalStackHostError,
  LocalStackInstallError,
  LocalStackStartError,
  PythonNotFoundError,
} from './errors';
export { type InstallOptions, type InstallResult, installLocalStack, requirementsHash } from './install';
export { EXECUTOR_DIR, LAMBDA_HOST_DIR, lambdaHostEnv, STACK_SERVICES } from './lambda-host';
export { DEFAULT_VENV_DIR, LOCALSTACK_DIR, pinnedLocalStackVersion } from './paths';
export { type FindPythonOptions, type FoundPython, findPython, pythonCandidates } from './python';
export {
  LOCALSTACK_AWS,
  type LocalStack,
  logTail,
  type StartLocalStackOptions,
  startLocalStack,
} from './server';
