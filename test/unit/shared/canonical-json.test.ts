import fc from 'fast-check';
import { canonicalJson, computeKey, decodeEvent, type IdempotencyKey } from '../../../shared/internal';

/** Row 15 of the matrix: canonical JSON equivalence (key order, nesting, unicode, numbers). */

const KEY_OPTIONS = { prefix: 'idem:v1', service: 'svc', strategy: 'content' } as const;

/** The content key of an envelope written as the given JSON text for `data`. */
function keyOfDataText(
  dataText: string,
  extra: { eventId?: string; eventType?: string } = {},
): IdempotencyKey {
  const text =
    `{"event_type":${JSON.stringify(extra.eventType ?? 'test.v1')},"data":${dataText},` +
    `"event_id":${JSON.stringify(extra.eventId ?? 'e-1')},"event_timestamp":"t","source_service":"p"}`;
  const decoded = decodeEvent(Buffer.from(text, 'utf8'));
  if (!decoded.ok) throw new Error(`test envelope did not decode: ${decoded.error.message}`);
  return computeKey(decoded, KEY_OPTIONS);
}

/** A copy of a JSON value whose object keys are inserted in another order, at every depth. */
function permuteKeys(value: unknown, seed: number): unknown {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = next() % (i + 1);
      const a = entries[i];
      const b = entries[j];
      if (a !== undefined && b !== undefined) {
        entries[i] = b;
        entries[j] = a;
      }
    }
    // fromEntries defines own properties, so a "__proto__" key stays data, as with JSON.parse.
    return Object.fromEntries(entries.map(([k, child]) => [k, walk(child)]));
  };
  return walk(value);
}

/** JSON text with every character of every string written as a `\uXXXX` escape. */
function escapeAll(value: unknown): string {
  return JSON.stringify(value).replace(/"((?:[^"\\]|\\.)*)"/g, (_match, body: string) => {
    const decodedString = JSON.parse(`"${body}"`) as string;
    let out = '';
    for (let i = 0; i < decodedString.length; i++) {
      out += `\\u${decodedString.charCodeAt(i).toString(16).padStart(4, '0')}`;
    }
    return `"${out}"`;
  });
}

// Generated objects leave "__proto__" out (a generator may assign it, making it the prototype);
// decodeEvent keeps such a key as data at every depth (see test/integration/shared/hostile-input).
const dataKey = fc.string().filter((k) => k !== '__proto__');
const jsonData = fc.dictionary(dataKey, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 });

describe('canonical JSON: equal data gives equal keys', () => {
  test('key order permutations at any depth canonicalize to the same text and key', () => {
    fc.assert(
      fc.property(jsonData, fc.integer(), (data, seed) => {
        const permuted = permuteKeys(data, seed);
        expect(canonicalJson(permuted)).toBe(canonicalJson(data));
        expect(keyOfDataText(JSON.stringify(permuted)).id).toBe(keyOfDataText(JSON.stringify(data)).id);
      }),
      { numRuns: 300 },
    );
  });

  test('a new event_id or a pretty-printed value does not change the content key', () => {
    fc.assert(
      fc.property(jsonData, fc.string({ minLength: 1 }), (data, eventId) => {
        const key = keyOfDataText(JSON.stringify(data));
        expect(keyOfDataText(JSON.stringify(data, null, 2), { eventId }).id).toBe(key.id);
      }),
    );
  });

  test('string escapes and literal characters (any code point) are the same data', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ unit: 'binary' }).filter((k) => k !== '__proto__'),
          fc.string({ unit: 'binary' }),
        ),
        (data) => {
          expect(keyOfDataText(escapeAll(data)).id).toBe(keyOfDataText(JSON.stringify(data)).id);
        },
      ),
    );
  });

  test('number forms that denote the same double are the same data', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const plain = keyOfDataText(`{"n":${JSON.stringify(n)}}`).id;
        expect(keyOfDataText(`{"n":${n.toExponential()}}`).id).toBe(plain);
        expect(keyOfDataText(`{"n":${n.toExponential(20).replace('e', 'E')}}`).id).toBe(plain);
        if (Number.isInteger(n) && Math.abs(n) < 1e21) {
          expect(keyOfDataText(`{"n":${BigInt(n).toString()}.000}`).id).toBe(plain);
        }
      }),
    );
  });

  test.each([
    ['1.0', '1'],
    ['1e2', '100'],
    ['1E+2', '100.0'],
    ['-0', '0'],
    ['0.1e1', '1'],
    ['123456789012345678901234', '1.2345678901234568e+23'],
    ['"\\u00e9"', '"é"'],
    ['"\\ud83d\\ude00"', '"😀"'],
    ['"\\/"', '"/"'],
    ['{"__proto__":{"b":1,"a":2}}', '{"__proto__":{"a":2,"b":1}}'],
    ['{"b":1,"a":{"d":[1,{"y":2,"x":1}],"c":null}}', '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}'],
  ])('%s and %s are the same data', (left, right) => {
    expect(keyOfDataText(`{"v":${left}}`).id).toBe(keyOfDataText(`{"v":${right}}`).id);
  });
});

describe('canonical JSON: different data gives different keys', () => {
  test('values with different canonical forms have different keys', () => {
    fc.assert(
      fc.property(jsonData, jsonData, (a, b) => {
        fc.pre(canonicalJson(a) !== canonicalJson(b));
        expect(keyOfDataText(JSON.stringify(a)).id).not.toBe(keyOfDataText(JSON.stringify(b)).id);
      }),
      { numRuns: 300 },
    );
  });

  test('arrays keep their order', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 2 }), (items) => {
        const reversed = [...items].reverse();
        fc.pre(canonicalJson(items) !== canonicalJson(reversed));
        expect(keyOfDataText(JSON.stringify({ items })).id).not.toBe(
          keyOfDataText(JSON.stringify({ items: reversed })).id,
        );
      }),
    );
  });

  test('the same data under another event type is another event', () => {
    fc.assert(
      fc.property(jsonData, (data) => {
        const text = JSON.stringify(data);
        expect(keyOfDataText(text, { eventType: 'a.v1' }).id).not.toBe(
          keyOfDataText(text, { eventType: 'a.v2' }).id,
        );
      }),
    );
  });

  test.each([
    ['1', '"1"'],
    ['null', '{}'],
    ['[]', '{}'],
    ['true', '1'],
    ['1', '1.0000000000000002'],
    ['{"__proto__":1}', '{}'],
  ])('%s and %s are different data', (left, right) => {
    expect(keyOfDataText(`{"v":${left}}`).id).not.toBe(keyOfDataText(`{"v":${right}}`).id);
  });

  test('unicode is not normalized (RFC 8785): NFC and NFD spellings are different data', () => {
    const nfc = 'é'.normalize('NFC');
    const nfd = 'é'.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect(keyOfDataText(JSON.stringify({ v: nfc })).id).not.toBe(
      keyOfDataText(JSON.stringify({ v: nfd })).id,
    );
  });
});

describe('canonicalJson', () => {
  test('sorts keys by UTF-16 code units, as RFC 8785 section 3.2.3 shows', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'] as const;
    const expected = `{${order.map((k) => `${JSON.stringify(k)}:${JSON.stringify(value[k])}`).join(',')}}`;
    expect(canonicalJson(value)).toBe(expected);
  });

  test('writes numbers in their shortest round-trip form (RFC 8785 section 3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, 0.000001, -0, 100, 1.5e300, 333333333.3333333])).toBe(
      '[1e+21,1e-7,0.000001,0,100,1.5e+300,333333333.3333333]',
    );
  });

  test.each([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a BigInt', BigInt(1)],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a nested NaN', { a: [Number.NaN] }],
  ])('throws a TypeError for %s', (_label, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  test('throws a TypeError for a cycle', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(TypeError);
  });
});
