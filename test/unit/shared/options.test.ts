import { integerOption } from '../../../shared/options';

describe('integerOption', () => {
  test('returns a value within the range', () => {
    expect(integerOption('n', 0, { min: 0 })).toBe(0);
    expect(integerOption('n', 10, { min: 1, max: 10 })).toBe(10);
  });

  test.each([
    [0, { min: 1 }, undefined, 'Option n must be an integer >= 1, got 0.'],
    [1.5, { min: 1 }, undefined, 'Option n must be an integer >= 1, got 1.5.'],
    [Number.POSITIVE_INFINITY, { min: 1 }, undefined, 'Option n must be an integer >= 1, got Infinity.'],
    ['5', { min: 1 }, undefined, 'Option n must be an integer >= 1, got "5".'],
    [
      11,
      { min: 0, max: 10 },
      'ten at most',
      'Option n must be an integer from 0 to 10 (ten at most), got 11.',
    ],
  ])('fails if the value is %p: a TypeError naming the option, the range and the value', (value, bounds, why, message) => {
    expect(() => integerOption('n', value, bounds, why)).toThrow(TypeError);
    expect(() => integerOption('n', value, bounds, why)).toThrow(message);
  });
});
