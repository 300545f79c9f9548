import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type App as CdkApp, Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, type NagPack, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DeadLetterQueue } from '../../infra/constructs/dead-letter-queue';
import { IdempotencyTable } from '../../infra/constructs/idempotency-table';
import {
  IdempotentKafkaConsumer,
  type IdempotentKafkaConsumerProps,
} from '../../infra/constructs/idempotent-kafka-consumer';
import type { ConsumerManifest } from '../../shared/internal';

/**
 * An app that skips asset bundling: construct-level tests do not need esbuild's output, and the
 * stack tests (and `cdk synth` in CI) bundle for real.
 */
export function appWithoutBundling(): App {
  return new App({ context: { ...projectContext(), 'aws:cdk:bundling-stacks': [] } });
}

/** An app with the project's `cdk.json` context (its feature flags), as `cdk synth` sees it. */
export function projectApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...projectContext(), ...context } });
}

function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * The cdk-nag packs the infra tests hold the app to: AwsSolutions (which every `cdk synth` also
 * runs, see `infra/app.ts`), Serverless and NIST 800-53 rev 5.
 */
export function nagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks(), new NIST80053R5Checks()];
}

/**
 * Findings of the cdk-nag packs (errors and warnings) under `scope` that nobody acknowledged, as
 * `<rule>: <construct paths>`.
 */
export function nagFindings(scope: IConstruct, packs: readonly NagPack[] = nagPacks()): string[] {
  return packs.flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.map(
        (violation) =>
          `${violation.ruleName} (${violation.severity}): ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
  );
}

/** Every acknowledgment under `scope`: the rule id, the reason and where. */
export function acknowledgments(scope: IConstruct): { id: string; reason: string; path: string }[] {
  const found: { id: string; reason: string; path: string }[] = [];
  for (const node of scope.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      const data = entry.data as Record<string, unknown>;
      for (const [id, value] of Object.entries(data)) {
        const reason =
          typeof value === 'string' ? value : String((value as { reason?: unknown } | null)?.reason ?? '');
        found.push({ id, reason, path: node.node.path });
      }
    }
  }
  return found;
}

/** One IAM statement, normalized: actions and resources always arrays. */
export interface Statement {
  readonly sid?: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: unknown[];
  readonly condition?: unknown;
}

/** All statements of the inline policies attached to the role with logical id prefix `rolePrefix`. */
export function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      ((policy.Properties.Roles ?? []) as { Ref?: string }[]).some((role) =>
        role.Ref?.startsWith(rolePrefix),
      ),
    )
    .flatMap((policy) => normalized(policy.Properties.PolicyDocument.Statement));
}

/** The statements of the one inline policy whose logical id starts with `policyPrefix`. */
export function policyStatements(template: Template, policyPrefix: string): Statement[] {
  const policy =
    template.findResources('AWS::IAM::Policy')[logicalId(template, 'AWS::IAM::Policy', policyPrefix)];
  return normalized(policy?.Properties.PolicyDocument.Statement);
}

function normalized(raw: readonly Record<string, unknown>[] = []): Statement[] {
  return raw.map((statement) => ({
    ...(typeof statement.Sid === 'string' ? { sid: statement.Sid } : {}),
    effect: String(statement.Effect),
    actions: ([] as unknown[]).concat(statement.Action).map(String).sort(),
    resources: ([] as unknown[]).concat(statement.Resource),
    ...(statement.Condition !== undefined ? { condition: statement.Condition } : {}),
  }));
}

/** The actions a list of statements grants, sorted, each once. */
export function actionsOf(statements: readonly Statement[]): string[] {
  return [...new Set(statements.flatMap((s) => s.actions))].sort();
}

/** The resources every statement granting `action` names. */
export function resourcesFor(statements: readonly Statement[], action: string): unknown[] {
  return statements.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources);
}

/** The logical id of the only resource of `type` whose id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  const [id] = ids;
  if (id === undefined || ids.length !== 1) {
    throw new Error(`expected one ${type} starting with ${prefix}, found [${ids.join(', ')}]`);
  }
  return id;
}

/** A real handler to bundle (the spellchecker's): construct tests need an entry file that exists. */
export const ENTRY = path.join(__dirname, '..', '..', 'functions', 'spellchecker', 'handler.ts');
/** An MSK cluster ARN for the construct tests. */
export const CLUSTER =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/events/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-2';
/** The topics of {@link ORDERS}. */
export const TOPICS = ['orders.created.v1', 'orders.cancelled.v1'];

/** The consumer the construct tests build: two topics, no table of its own (the table tests give it theirs). */
export const ORDERS = {
  service: 'orders',
  id: 'Orders',
  topics: TOPICS,
  mode: 'two-phase',
  tables: {},
} as const satisfies ConsumerManifest;

/** A stack `Test` (in `app`) with the shared table and queue, and one `ORDERS` consumer built from `overrides`. */
export function ordersConsumer(
  overrides: Partial<IdempotentKafkaConsumerProps> = {},
  app: CdkApp = appWithoutBundling(),
): { stack: Stack; consumer: IdempotentKafkaConsumer } {
  const stack = new Stack(app, 'Test');
  const consumer = new IdempotentKafkaConsumer(stack, 'Orders', {
    manifest: ORDERS,
    entry: ENTRY,
    idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
    deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
    ...overrides,
  });
  return { stack, consumer };
}

/** The EC2 actions of an event source mapping in a VPC (network interfaces, and the describes IAM cannot scope). */
export const ESM_VPC_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
];
