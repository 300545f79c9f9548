/**
 * The record codecs' entry (a consumer author's second entry, beside `shared/index.ts`): the
 * codecs without heavy dependencies and the codec types. The binary codecs have entries of their
 * own, `shared/codecs/avro.ts` (avsc) and `shared/codecs/protobuf.ts` (protobufjs), so that a
 * consumer bundles a decoding library only when it uses it.
 *
 * @example
 * ```ts
 * import { TOMBSTONE_EVENT_TYPE } from '../../shared/codecs';
 * ```
 */
import type { CodecSpec } from '../manifest';
import { cloudEventsCodec } from './cloudevents';
import type { RecordCodec } from './codec';
import { envelopeCodec } from './envelope';
import { jsonCodec } from './json';

export { type CloudEventAttributes, cloudEventsCodec } from './cloudevents';
export { type KafkaRecordInput, type RecordCodec, type SchemaMetadata, TOMBSTONE_EVENT_TYPE } from './codec';
export { envelopeCodec } from './envelope';
export { type JsonCodecOptions, jsonCodec } from './json';

/**
 * The codec a manifest's `codec` names, for the kinds that need nothing but the manifest
 * (`envelope`, `cloudevents`, `json`); the binary kinds need their schemas, so their handler
 * passes the codec (`defineConsumer(manifest, routes, { codec })`), and this throws naming it.
 *
 * @example
 * ```ts
 * const codec = codecFor({ kind: 'json', type: { from: 'header', name: 'event-type' } });
 * ```
 */
export function codecFor(spec: CodecSpec | undefined): RecordCodec {
  if (spec === undefined || spec.kind === 'envelope') return envelopeCodec();
  if (spec.kind === 'cloudevents') return cloudEventsCodec();
  if (spec.kind === 'json') {
    return jsonCodec({
      ...(spec.type ? { type: spec.type } : {}),
      ...(spec.id ? { id: spec.id } : {}),
      ...(spec.correlationId ? { correlationId: spec.correlationId } : {}),
    });
  }
  const entry =
    spec.kind === 'avro' ? 'avroCodec from shared/codecs/avro' : 'protobufCodec from shared/codecs/protobuf';
  throw new TypeError(
    `A ${spec.kind} consumer needs its schemas: pass { codec: ${entry.split(' ')[0]}({ wire: '${spec.wire}', ... }) } to defineConsumer (${entry}).`,
  );
}

/**
 * Checks that a codec implements the manifest's `codec` (same `kind`, and `wire` for the binary
 * kinds); a `TypeError` names both.
 *
 * @example
 * ```ts
 * assertCodecMatches({ kind: 'avro', wire: 'confluent' }, codec, 'essay-feedback');
 * ```
 */
export function assertCodecMatches(spec: CodecSpec | undefined, codec: RecordCodec, service: string): void {
  const kind = spec?.kind ?? 'envelope';
  const wire = spec && (spec.kind === 'avro' || spec.kind === 'protobuf') ? spec.wire : undefined;
  if (codec.kind !== kind || codec.wire !== wire) {
    const describe = (k: string, w: string | undefined) => (w ? `${k} (wire ${w})` : k);
    throw new TypeError(
      `Consumer ${JSON.stringify(service)}: its manifest's codec is ${describe(kind, wire)} but the handler passes a ${describe(codec.kind, codec.wire)} codec; make them agree.`,
    );
  }
}
