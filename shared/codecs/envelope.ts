import { decodeEvent } from '../envelope';
import type { RecordCodec } from './codec';

/**
 * The house envelope codec (the default): strict UTF-8 JSON with `event_id`, `event_type`,
 * `event_timestamp`, `source_service`, `data` ({@link decodeEvent}). Keys are exactly those of
 * the layer before codecs existed.
 *
 * @example
 * ```ts
 * const decoded = envelopeCodec().decode({ coordinates, timestamp: 0, key: undefined, value: bytes, headers: new Map() });
 * ```
 */
export function envelopeCodec(): RecordCodec {
  return {
    kind: 'envelope',
    wire: undefined,
    decode: (record) => decodeEvent(record.value, record.coordinates),
  };
}
