/**
 * Errors of the host-mode LocalStack tooling. Each message says what failed, the value at fault
 * and the fix; the last lines of pip's or LocalStack's log are part of the message when they
 * explain it.
 */

/**
 * Base class of the errors below, for a single `instanceof` check.
 *
 * @example
 * ```ts
 * if (error instanceof LocalStackHostError) console.error(error.message);
 * ```
 */
export class LocalStackHostError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackHostError';
  }
}

/**
 * No Python interpreter of a version LocalStack runs on (3.13 or newer) was found; the message
 * lists what was tried and what to install.
 *
 * @example
 * ```ts
 * if (error instanceof PythonNotFoundError) process.exitCode = 3;
 * ```
 */
export class PythonNotFoundError extends LocalStackHostError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'PythonNotFoundError';
  }
}

/**
 * Creating the virtual environment or installing the pinned packages into it failed.
 *
 * @example
 * ```ts
 * throw new LocalStackInstallError('pip exited with code 1: ...');
 * ```
 */
export class LocalStackInstallError extends LocalStackHostError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackInstallError';
  }
}

/**
 * LocalStack did not become ready: the port was taken, the process exited, or the requested
 * services were not up in time.
 *
 * @example
 * ```ts
 * throw new LocalStackStartError('LocalStack exited with code 1 before it was ready on port 4566: ...');
 * ```
 */
export class LocalStackStartError extends LocalStackHostError {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackStartError';
  }
}
