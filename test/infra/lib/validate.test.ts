import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import {
  durationRule,
  eachRule,
  integerRule,
  nonEmptyRule,
  type ValidationRule,
  validateProps,
} from '../../../infra/lib/validate';
import { appWithoutBundling } from '../support';

interface Props {
  readonly size?: number;
  readonly wait?: Duration;
  readonly names?: readonly string[];
}

const RULES: readonly ValidationRule<Props>[] = [
  integerRule('size', (p) => p.size, 1, 10),
  durationRule('wait', (p) => p.wait, Duration.seconds(1), Duration.minutes(1)),
  nonEmptyRule('names', (p) => p.names, 'name'),
  eachRule(
    'names[]',
    (p) => p.names,
    (name) => /^[a-z]+$/.test(name),
    'must be lowercase letters',
  ),
];

function check(props: Props, stack = new Stack(appWithoutBundling(), 'Test')): () => void {
  return () => validateProps(stack, 'Thing', props, RULES);
}

describe('validateProps', () => {
  test('passes props that keep every rule, and skips what is not given', () => {
    expect(check({ size: 10, wait: Duration.minutes(1), names: ['a'] })).not.toThrow();
    expect(check({})).not.toThrow();
  });

  test('fails listing every rule broken, each with the allowed range and the value received', () => {
    expect(check({ size: 0, wait: Duration.seconds(61), names: ['ok', 'Not ok'] })).toThrow(
      new Error(
        'Test: invalid props of Thing:\n' +
          '- size must be an integer between 1 and 10, got 0\n' +
          '- wait must be between 1 second and 1 minute, got 1 minute 1 second\n' +
          '- names[] must be lowercase letters, got "Not ok"',
      ),
    );
  });

  test('fails if a number is not an integer, or a list is empty', () => {
    expect(check({ size: 2.5 })).toThrow(/size must be an integer between 1 and 10, got 2\.5/);
    expect(check({ names: [] })).toThrow(/names must name at least one name, got \[\]/);
  });

  test('skips unresolved tokens: numbers, durations, lists and list items', () => {
    const stack = new Stack(appWithoutBundling(), 'Tokens');
    const number = new CfnParameter(stack, 'N', { type: 'Number' }).valueAsNumber;
    const list = new CfnParameter(stack, 'L', { type: 'CommaDelimitedList' }).valueAsList;
    const item = new CfnParameter(stack, 'I').valueAsString;
    expect(check({ size: number, wait: Duration.seconds(number), names: list }, stack)).not.toThrow();
    expect(check({ names: [item, 'BAD'] }, stack)).toThrow(/got "BAD"/);
  });
});
