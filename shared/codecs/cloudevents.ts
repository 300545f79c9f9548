/**
 * CloudEvents 1.0 over the Kafka protocol binding, written by hand from the specification (the
 * `cloudevents` SDK validates with ajv and would more than double a function's bundle; the tests
 * check this decoder against events the SDK writes).
 */
import { ENVELOPE_LIMITS } from '../envelope';
import {
  eventOf,
  isEventType,
  isIdentifier,
  isPlainObject,
  type KafkaRecordInput,
  parseJsonBytes,
  poison,
  type RecordCodec,
} from './codec';

/**
 * The CloudEvents context attributes handed to handlers as `envelope.cloudevent`.
 *
 * @example
 * ```ts
 * const subject = (envelope.cloudevent as CloudEventAttributes).subject;
 * ```
 */
export interface CloudEventAttributes {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  /** The Kafka record key (UTF-8), as the binding maps it. */
  readonly partitionkey?: string;
  /** Other extension attributes with string values. */
  readonly extensions: Readonly<Record<string, string>>;
  /** `structured` (`application/cloudevents+json` value) or `binary` (`ce_` headers). */
  readonly mode: 'structured' | 'binary';
}

const CORE = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
]);
/** Attribute names: lowercase letters and digits, at most 20 (the specification's recommendation). */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * CloudEvents codec: structured mode (`content-type: application/cloudevents+json`, the whole
 * event as the value) and binary mode (`ce_*` headers, `content-type` as `datacontenttype`, the
 * value as `data`). Routes on `type`; the id is `id`, the correlation id the `correlationid`
 * extension; `envelope.cloudevent` carries the attributes. `data` with a JSON content type (or
 * none, in structured mode) is the JSON value; any other is `{ data_base64 }`, so the same event in
 * either mode has the same content key. The `envelope` key strategy uses `source` + `id`.
 *
 * @example
 * ```ts
 * defineConsumer({ ...manifest, codec: { kind: 'cloudevents' } }, routes); // built from the manifest
 * ```
 */
export function cloudEventsCodec(): RecordCodec {
  return { kind: 'cloudevents', wire: undefined, decode: decodeCloudEvent };
}

function decodeCloudEvent(record: KafkaRecordInput & { readonly value: Uint8Array }) {
  const contentType = record.headers.get('content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType?.startsWith('application/cloudevents')) {
    if (mediaType !== 'application/cloudevents+json') {
      return poison(
        record,
        'Record is a structured CloudEvent in a format other than JSON (content-type header); only application/cloudevents+json is supported',
      );
    }
    return structured(record);
  }
  if (record.headers.has('ce_specversion')) return binary(record, contentType);
  return poison(
    record,
    'Record is not a CloudEvent: neither structured mode (content-type application/cloudevents+json) nor binary mode (a ce_specversion header)',
  );
}

function structured(record: KafkaRecordInput & { readonly value: Uint8Array }) {
  const parsed = parseJsonBytes(record.value);
  if ('error' in parsed) return poison(record, `${parsed.error} (structured CloudEvent)`);
  const event = parsed.json;
  if (!isPlainObject(event))
    return poison(record, 'Record value is not a JSON object (structured CloudEvent)');
  const attributes = new Map<string, string>();
  for (const name of Object.keys(event)) {
    if (name === 'data' || name === 'data_base64') continue;
    const value = event[name];
    if (CORE.has(name) && typeof value !== 'string') {
      return poison(record, `CloudEvent attribute ${name} is not a string`);
    }
    if (typeof value === 'string' && ATTRIBUTE_NAME.test(name)) attributes.set(name, value);
  }
  const contentType = attributes.get('datacontenttype');
  let data: unknown = null;
  if (Object.hasOwn(event, 'data_base64')) {
    if (Object.hasOwn(event, 'data')) return poison(record, 'CloudEvent has both data and data_base64');
    const text = event.data_base64;
    if (typeof text !== 'string' || !BASE64.test(text))
      return poison(record, 'CloudEvent data_base64 is not base64');
    const decoded = dataOf(Buffer.from(text, 'base64'), contentType ?? 'application/octet-stream');
    if ('error' in decoded) return poison(record, decoded.error);
    data = decoded.data;
  } else if (Object.hasOwn(event, 'data')) {
    const value = event.data;
    // The same data in binary mode would be its bytes: a string of a non-JSON type is its UTF-8.
    data =
      contentType !== undefined && !isJsonType(contentType) && typeof value === 'string'
        ? { data_base64: Buffer.from(value, 'utf8').toString('base64') }
        : value;
  }
  return build(record, attributes, data, 'structured');
}

function binary(record: KafkaRecordInput & { readonly value: Uint8Array }, contentType: string | undefined) {
  const attributes = new Map<string, string>();
  for (const [header, value] of record.headers) {
    if (!header.startsWith('ce_')) continue;
    const name = header.slice(3);
    if (ATTRIBUTE_NAME.test(name)) attributes.set(name, value);
  }
  if (contentType !== undefined) attributes.set('datacontenttype', contentType);
  let data: unknown = null;
  if (record.value.length > 0) {
    const decoded = dataOf(record.value, contentType ?? 'application/octet-stream');
    if ('error' in decoded) return poison(record, decoded.error);
    data = decoded.data;
  }
  return build(record, attributes, data, 'binary');
}

/** `application/json`, `text/json` or any `+json` media type. */
function isJsonType(contentType: string): boolean {
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}

function dataOf(
  bytes: Uint8Array,
  contentType: string,
): { readonly data: unknown } | { readonly error: string } {
  if (!isJsonType(contentType)) return { data: { data_base64: Buffer.from(bytes).toString('base64') } };
  const parsed = parseJsonBytes(bytes);
  return 'error' in parsed
    ? { error: `${parsed.error} (CloudEvent data of a JSON content type)` }
    : { data: parsed.json };
}

function build(
  record: KafkaRecordInput & { readonly value: Uint8Array },
  attributes: ReadonlyMap<string, string>,
  data: unknown,
  mode: 'structured' | 'binary',
) {
  const prefix = mode === 'binary' ? 'ce_' : '';
  const specversion = attributes.get('specversion');
  if (specversion === undefined)
    return poison(record, `CloudEvent attribute ${prefix}specversion is missing`);
  if (specversion !== '1.0')
    return poison(record, `CloudEvent ${prefix}specversion is not 1.0 (the only version supported)`);
  const type = attributes.get('type');
  if (type === undefined) return poison(record, `CloudEvent attribute ${prefix}type is missing`);
  if (!isEventType(type)) {
    return poison(
      record,
      `CloudEvent ${prefix}type must be 1-${ENVELOPE_LIMITS.eventTypeLength} characters of letters, digits, '.', '_' or '-' (it is part of the key)`,
    );
  }
  for (const name of ['id', 'source'] as const) {
    const value = attributes.get(name);
    if (value === undefined) return poison(record, `CloudEvent attribute ${prefix}${name} is missing`, type);
    if (!isIdentifier(value)) {
      return poison(
        record,
        `CloudEvent ${prefix}${name} must be 1-256 characters without control characters`,
        type,
      );
    }
  }
  for (const name of ['subject', 'time', 'datacontenttype', 'dataschema', 'correlationid'] as const) {
    const value = attributes.get(name);
    if (value !== undefined && !isIdentifier(value)) {
      return poison(
        record,
        `CloudEvent ${prefix}${name} must be 1-256 characters without control characters`,
        type,
      );
    }
  }
  const time = attributes.get('time');
  if (time !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i.test(time)) {
    return poison(record, `CloudEvent ${prefix}time is not an RFC 3339 timestamp`, type);
  }
  let partitionkey = attributes.get('partitionkey');
  if (record.key !== undefined) {
    try {
      partitionkey = utf8.decode(record.key);
    } catch {
      return poison(record, 'Record key is not valid UTF-8 (the CloudEvents partitionkey)', type);
    }
  }
  const id = attributes.get('id') as string;
  const source = attributes.get('source') as string;
  const extensions = Object.fromEntries(
    [...attributes].filter(([name]) => !CORE.has(name) && name !== 'partitionkey'),
  );
  const cloudevent: CloudEventAttributes = {
    specversion: '1.0',
    id,
    source,
    type,
    ...optional('subject', attributes.get('subject')),
    ...optional('time', time),
    ...optional('datacontenttype', attributes.get('datacontenttype')),
    ...optional('dataschema', attributes.get('dataschema')),
    ...optional('partitionkey', partitionkey),
    extensions,
    mode,
  };
  return eventOf(record, {
    eventType: type,
    eventId: id,
    correlationId: attributes.get('correlationid'),
    source,
    time,
    data,
    // The specification's identity: source + id.
    idempotencyKey: JSON.stringify([source, id]),
    extra: { cloudevent },
  });
}

function optional<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: string };
}
