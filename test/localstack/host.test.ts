/**
 * The host-mode tooling itself: finding Python, the idempotent install, and a LocalStack's
 * lifecycle (loopback only, stopped by its process group, SIGKILL when SIGTERM is not enough,
 * gone when the process that started it dies).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  findPython,
  installLocalStack,
  LOCALSTACK_AWS,
  type LocalStack,
  LocalStackStartError,
  PythonNotFoundError,
  pinnedLocalStackVersion,
  pythonCandidates,
  startLocalStack,
} from '../../localstack/host';
import { isProcessAlive } from '../../scripts/lib/processes';

const PROJECT_ROOT = join(__dirname, '..', '..');
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'localstack-host-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** An executable that answers the Python probe as an interpreter of `version` would. */
function fakePython(name: string, version: string, venv: 'venv' | 'no-venv'): string {
  const file = join(scratch, name);
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' '${version}' '/opt/${name}' '${venv}'\n`);
  chmodSync(file, 0o755);
  return file;
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** The local addresses of the LISTEN sockets on `port` (Linux: /proc/net/tcp and tcp6). */
function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || local === undefined || !local.endsWith(`:${portHex}`)) continue;
      const hex = local.slice(0, local.indexOf(':'));
      found.push(
        hex.length === 8
          ? (hex.match(/../g) ?? [])
              .map((b) => Number.parseInt(b, 16))
              .reverse()
              .join('.')
          : `ipv6:${hex}`,
      );
    }
  }
  return found;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('findPython', () => {
  test('fails listing each candidate refused, why, and what to install', () => {
    const old = fakePython('python3.12', '3.12.1', 'venv');
    const noVenv = fakePython('python3.13-debian', '3.13.5', 'no-venv');

    expect(() => findPython({ candidates: [join(scratch, 'missing-python'), old, noVenv] })).toThrow(
      PythonNotFoundError,
    );
    let message = '';
    try {
      findPython({ candidates: [join(scratch, 'missing-python'), old, noVenv] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${join(scratch, 'missing-python')}: not found`);
    expect(message).toContain(`${old}: Python 3.12.1, older than 3.13`);
    expect(message).toContain(`${noVenv}: Python 3.13.5 without the venv module`);
    expect(message).toMatch(/apt-get install -y python3\.13 python3\.13-venv/);
    expect(message).toMatch(/brew install python@3\.13/);
    expect(message).toMatch(/LOCALSTACK_PYTHON=/);
  });

  test('takes the first candidate that is 3.13 or newer and has venv', () => {
    const old = fakePython('python3.12-b', '3.12.1', 'venv');
    const good = fakePython('python3.13-b', '3.13.0', 'venv');
    const later = fakePython('python3.14-b', '3.14.0', 'venv');

    expect(findPython({ candidates: [old, good, later] })).toEqual({
      command: good,
      executable: '/opt/python3.13-b',
      version: '3.13.0',
    });
  });

  test('tries only LOCALSTACK_PYTHON when it is set', () => {
    expect(pythonCandidates({ LOCALSTACK_PYTHON: '/opt/py/bin/python3' })).toEqual(['/opt/py/bin/python3']);
  });

  test('tries pyenv versions 3.13, then newer minors, newest patch first, and skips the rest', () => {
    const root = join(scratch, 'pyenv');
    for (const v of ['3.11.7', '3.12.1', '3.13.0', '3.13.2', '3.14.0', '3.13.0t', '2.7.18', 'miniconda3']) {
      mkdirSync(join(root, 'versions', v), { recursive: true });
    }

    expect(pythonCandidates({ PYENV_ROOT: root })).toEqual([
      'python3.13',
      join(root, 'versions', '3.13.2', 'bin', 'python3'),
      join(root, 'versions', '3.13.0', 'bin', 'python3'),
      join(root, 'versions', '3.14.0', 'bin', 'python3'),
      'python3',
    ]);
  });
});

describe('installLocalStack', () => {
  test('installs nothing when the venv stamp matches the requirements', async () => {
    const lines: string[] = [];

    const result = await installLocalStack({ log: (line) => lines.push(line) });

    expect(result).toMatchObject({ installed: false, version: pinnedLocalStackVersion() });
    expect(result.durationMs).toBeLessThan(10_000);
    expect(lines).toEqual([expect.stringMatching(/is installed in .* \(requirements unchanged\)/)]);
  });
});

describe('startLocalStack', () => {
  test('fails at once, naming the port, when something listens on it', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(startLocalStack({ port })).rejects.toThrow(LocalStackStartError);
      await expect(startLocalStack({ port })).rejects.toThrow(
        new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use`),
      );
    } finally {
      server.close();
    }
  });

  test('fails with a TypeError naming a service name LocalStack cannot have', async () => {
    await expect(startLocalStack({ services: ['sqs', 'S3; rm -rf /'] })).rejects.toThrow(
      /services must be LocalStack service names such as "s3" or "sqs", got "S3; rm -rf \/"/,
    );
    await expect(startLocalStack({ services: [] })).rejects.toThrow(TypeError);
  });

  test('fails with a TypeError when env tries to override what it sets itself', async () => {
    await expect(startLocalStack({ env: { GATEWAY_LISTEN: '0.0.0.0:4566' } })).rejects.toThrow(
      'env.GATEWAY_LISTEN is set by startLocalStack itself and cannot be overridden.',
    );
  });

  test('fails with the exit and the end of its log, kept, when LocalStack exits before it is ready', async () => {
    let caught: unknown;
    try {
      // LocalStack parses GATEWAY_WORKER_COUNT with int() when its config loads.
      await startLocalStack({ services: ['sqs'], env: { GATEWAY_WORKER_COUNT: 'many' } });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(LocalStackStartError);
    const message = (caught as Error).message;
    expect(message).toMatch(/^LocalStack exited \(code 1\) before it was ready on port \d+\./);
    expect(message).toContain("ValueError: invalid literal for int() with base 10: 'many'");
    const logFile = /Last lines of (\S+) \(kept\)/.exec(message)?.[1] ?? '';
    expect(existsSync(logFile)).toBe(true);
    rmSync(join(logFile, '..'), { recursive: true, force: true });
  });

  describe('a started LocalStack', () => {
    let localstack: LocalStack;

    beforeAll(async () => {
      localstack = await startLocalStack({ services: ['s3', 'sqs'], eager: false });
    });

    afterAll(async () => {
      await localstack.stop();
    });

    test('listens on 127.0.0.1 only', async () => {
      if (existsSync('/proc/net/tcp')) {
        expect(listeningAddresses(localstack.port)).toEqual(['127.0.0.1']);
      }
      const external = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i !== undefined && !i.internal && i.family === 'IPv4')
        .map((i) => i?.address ?? '');
      expect(await connects('127.0.0.1', localstack.port)).toBe(true);
      for (const address of external) expect(await connects(address, localstack.port)).toBe(false);
    });

    test('logs to its data folder', () => {
      expect(localstack.dataDir.startsWith(tmpdir())).toBe(true);
      const log = readFileSync(localstack.logFile, 'utf8');
      expect(log).toContain(`LocalStack version: ${pinnedLocalStackVersion()}`);
      expect(log).toContain('Ready.');
    });

    test('keeps S3 buckets in its data folder, not in the /tmp/localstack-s3-storage LocalStack hard-codes', async () => {
      const s3 = new S3Client({
        ...LOCALSTACK_AWS,
        endpoint: localstack.endpoint,
        forcePathStyle: true,
        maxAttempts: 1,
      });
      const Bucket = `host-${randomUUID().slice(0, 8)}`;
      try {
        await s3.send(new CreateBucketCommand({ Bucket }));

        expect(existsSync(join(localstack.dataDir, 'tmp', 'localstack-s3-storage', Bucket))).toBe(true);
        expect(existsSync(join('/tmp/localstack-s3-storage', Bucket))).toBe(false);
      } finally {
        await s3.send(new DeleteBucketCommand({ Bucket }));
        s3.destroy();
      }
    });
  });

  test('stop() ends the process, frees the port and deletes the temporary data folder', async () => {
    const localstack = await startLocalStack({ services: ['sqs'], eager: false });

    await localstack.stop();

    expect(isProcessAlive(localstack.pid)).toBe(false);
    expect(await portIsFree(localstack.port)).toBe(true);
    expect(existsSync(localstack.dataDir)).toBe(false);
    expect(await localstack.exited).toEqual({ code: 0, signal: null });
  });

  test('stop() kills with SIGKILL a LocalStack that does not end on SIGTERM within the grace period', async () => {
    const localstack = await startLocalStack({ services: ['sqs'], eager: false });
    process.kill(localstack.pid, 'SIGSTOP'); // frozen: SIGTERM stays pending

    const started = Date.now();
    await localstack.stop({ graceMs: 1000 });

    expect(Date.now() - started).toBeLessThan(5000);
    expect(await localstack.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isProcessAlive(localstack.pid)).toBe(false);
  });

  test('shuts itself down when the process that started it is killed', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'fixtures', 'start-and-wait.ts')],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      child.once('exit', (code) => reject(new Error(`fixture exited with ${code}: ${stderr}`)));
    });
    const { pid, dataDir } = JSON.parse(line) as { pid: number; dataDir: string };
    try {
      expect(isProcessAlive(pid)).toBe(true);

      child.kill('SIGKILL');

      expect(await waitGone(pid, 20_000)).toBe(true);
      expect(readFileSync(join(dataDir, 'localstack.log'), 'utf8')).toContain('received signal 15');
    } finally {
      if (isProcessAlive(pid)) process.kill(-pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
