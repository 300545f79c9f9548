/**
 * `npm run kafka:install`: fetches the local Apache Kafka broker (4.1.1, pinned in
 * `tools/kafka/pom.xml`) with Maven into `.local/kafka/lib`. Needs java (17+) and mvn.
 */
import { installKafka, KAFKA_LIB, kafkaInstalled } from '../tools/kafka/broker';
import { runMain } from './lib/cli';

async function main(): Promise<number> {
  if (kafkaInstalled() && !process.argv.includes('--force')) {
    process.stdout.write(`Apache Kafka is installed in ${KAFKA_LIB} (--force fetches it again).\n`);
    return 0;
  }
  installKafka((line) => process.stdout.write(`${line}\n`));
  return 0;
}

if (require.main === module) runMain(main, 'npm run kafka:install');
