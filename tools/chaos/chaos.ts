/**
 * `npm run chaos`: many worker processes run the real consumers against a file-backed DynamoDB
 * Local while the driver plays Kafka's event source mapping (over records in memory, or the local
 * broker with `--broker kafka`) and breaks things (killed workers at
 * every step, an engine restart, throttling, lost responses, short leases, skewed clocks, poison
 * records). Then it counts lost and duplicated effects against an independent ledger, prints the
 * report, writes it as JSON, and exits non-zero on any lost event, stuck record, unexplained
 * duplicate or fault kind that never fired.
 *
 * @example
 * ```sh
 * npm run chaos                                   # CI-sized (about two minutes on 2 cores)
 * npm run chaos -- --events 100000 --json full.json
 * npm run chaos -- --broker kafka               # the same faults over the local Kafka broker, restarted twice
 * ```
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chaosHtml } from './charts';
import { runChaos } from './driver';
import { HelpRequested, parseChaosArgs } from './options';
import { formatReport } from './report';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseChaosArgs>;
  try {
    options = parseChaosArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(error.message);
      return 0;
    }
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const report = await runChaos(options, (line) => console.log(line));
  const path = resolve(options.json);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  const html = `${path.replace(/\.json$/, '')}.html`;
  writeFileSync(html, chaosHtml(report));
  console.log('');
  console.log(formatReport(report));
  console.log(`\nJSON report: ${path}\nHTML report: ${html}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
