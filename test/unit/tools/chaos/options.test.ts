import { parseChaosArgs } from '../../../../tools/chaos/options';

describe('parseChaosArgs --broker', () => {
  it('keeps the records in memory by default, with two broker restarts for a kafka run', () => {
    const o = parseChaosArgs([]);
    expect(o.broker).toBe('memory');
    expect(o.brokerRestarts).toBe(2);
  });

  it('reads --broker kafka and --broker-restarts', () => {
    const o = parseChaosArgs(['--broker', 'kafka', '--broker-restarts', '3']);
    expect(o).toMatchObject({ broker: 'kafka', brokerRestarts: 3 });
  });

  it('rejects another broker and a negative restart count, naming the flag', () => {
    expect(() => parseChaosArgs(['--broker', 'redpanda'])).toThrow(/--broker must be memory or kafka/);
    expect(() => parseChaosArgs(['--broker-restarts=-1'])).toThrow(/--broker-restarts must be an integer/);
  });
});
