import { ENV, requireEnv } from '../../shared';
import { type ConsumerConfig, loadConsumerConfig } from '../common/config';

/**
 * Configuration of the essay-lifecycle consumer.
 *
 * @example
 * ```ts
 * const config: EssayLifecycleConfig = { ...loadConsumerConfig(env), essayTableName: 'essays' };
 * ```
 */
export interface EssayLifecycleConfig extends ConsumerConfig {
  /** The consumer's own table: batches and their essays (`ESSAY_TABLE_NAME`). */
  readonly essayTableName: string;
}

/**
 * Reads the essay-lifecycle consumer's configuration from the environment; a missing or malformed
 * variable throws at cold start naming it.
 *
 * @example
 * ```ts
 * const config = loadConfig(); // throws "Environment variable ESSAY_TABLE_NAME is required; ..." when unset
 * ```
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EssayLifecycleConfig {
  return { ...loadConsumerConfig(env), essayTableName: requireEnv(ENV.ESSAY_TABLE_NAME, env) };
}
