/**
 * `true` when a process of that id exists, ours or not (signal 0 checks without sending anything;
 * `EPERM` means it exists but belongs to another user).
 *
 * @example
 * ```ts
 * if (!isProcessAlive(pid)) rmSync(lockFile);
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
