/**
 * `npm run dead-letters` in a child process that SIGKILLs itself at the redrive step named by
 * `KILL_AT` (`reset`, `redelivered`, `removal-written`), the first time the step is reached: a
 * redrive interrupted there for real, by the same signal an OOM kill or a closed laptop gives.
 */
import { runDeadLetters } from '../../scripts/dead-letters';

const killAt = process.env.KILL_AT;
runDeadLetters(process.argv.slice(2), {
  onStep: (step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 3;
  },
);
