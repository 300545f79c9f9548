import { envBoolean, envChoice, envInteger, optionalEnv, requireEnv } from '../../../shared/internal';

describe('environment helpers', () => {
  test('requireEnv returns the value and fails naming the variable when unset or blank', () => {
    expect(requireEnv('A', { A: 'x' })).toBe('x');
    expect(() => requireEnv('TABLE', {})).toThrow(/Environment variable TABLE is required/);
    expect(() => requireEnv('TABLE', { TABLE: '  ' })).toThrow(/Environment variable TABLE is required/);
  });

  test('optionalEnv treats empty as unset', () => {
    expect(optionalEnv('A', { A: '' })).toBeUndefined();
    expect(optionalEnv('A', { A: 'v' })).toBe('v');
  });

  test('envBoolean parses true/false/1/0, falls back when unset, and rejects anything else', () => {
    expect(envBoolean('B', false, { B: 'TRUE' })).toBe(true);
    expect(envBoolean('B', true, { B: '0' })).toBe(false);
    expect(envBoolean('B', true, {})).toBe(true);
    expect(() => envBoolean('B', false, { B: 'yes' })).toThrow(/B must be true or false, got "yes"/);
  });

  test('envChoice accepts only the listed values', () => {
    const modes = ['fail-closed', 'fail-open'] as const;
    expect(envChoice('M', modes, 'fail-closed', { M: 'fail-open' })).toBe('fail-open');
    expect(envChoice('M', modes, 'fail-closed', {})).toBe('fail-closed');
    expect(() => envChoice('M', modes, 'fail-closed', { M: 'open' })).toThrow(
      /one of fail-closed, fail-open, got "open"/,
    );
  });
});

describe('envInteger', () => {
  test('is undefined when unset or blank, else the integer', () => {
    expect(envInteger('X', { min: 0, max: 10 }, {})).toBeUndefined();
    expect(envInteger('X', { min: 0, max: 10 }, { X: '  ' })).toBeUndefined();
    expect(envInteger('X', { min: 0, max: 10 }, { X: '10' })).toBe(10);
  });

  test('fails if the value is out of range', () => {
    expect(() => envInteger('X', { min: 0, max: 10 }, { X: '11' })).toThrow(
      'Environment variable X must be an integer from 0 to 10, got "11".',
    );
  });
});
