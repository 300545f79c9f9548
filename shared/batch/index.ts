/**
 * The Kafka batch processor: `createKafkaHandler` and what its users meet (its report, the error it
 * throws for a batch to retry, `parseData` for its routes). One concept per file: `handler.ts` (the
 * handler factory), `partition-run.ts` (the per-partition run), `report.ts` (the pure report).
 */
export { BatchRetryError } from '../errors';
export { parseData } from '../parse-data';
export { createKafkaHandler, type KafkaHandler, type KafkaHandlerOptions } from './handler';
export type { BatchReport, KafkaBatchResponse, RecordReport, RecordStatusInBatch } from './report';
