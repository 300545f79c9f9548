import { ENV, requireEnv } from '../../shared';
import { type ConsumerConfig, loadConsumerConfig } from '../common/config';

/**
 * Configuration of the spellchecker consumer.
 *
 * @example
 * ```ts
 * const config: SpellcheckerConfig = { ...loadConsumerConfig(env), spellcheckTableName: 'spellchecks' };
 * ```
 */
export interface SpellcheckerConfig extends ConsumerConfig {
  /** The consumer's own table: spellcheck results (`SPELLCHECK_TABLE_NAME`). */
  readonly spellcheckTableName: string;
}

/**
 * Reads the spellchecker consumer's configuration from the environment; a missing or malformed
 * variable throws at cold start naming it.
 *
 * @example
 * ```ts
 * const config = loadConfig(); // throws "Environment variable SPELLCHECK_TABLE_NAME is required; ..." when unset
 * ```
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SpellcheckerConfig {
  return { ...loadConsumerConfig(env), spellcheckTableName: requireEnv(ENV.SPELLCHECK_TABLE_NAME, env) };
}
