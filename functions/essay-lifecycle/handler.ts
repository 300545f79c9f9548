/**
 * Lambda entry point of the essay-lifecycle consumer (bundled by the CDK app): configuration read
 * once at cold start, then the batch processor. Everything else lives beside it.
 */
import { loadConfig } from './config';
import { createHandler } from './consumer';

/**
 * The MSK-triggered handler.
 *
 * @example
 * ```ts
 * // infra: new IdempotentKafkaConsumer(this, 'EssayLifecycle', { entry: 'functions/essay-lifecycle/handler.ts', ... })
 * ```
 */
export const handler = createHandler(loadConfig());
