import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

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

/** Error-level findings of the cdk-nag AwsSolutions pack that nobody acknowledged. */
export function nagErrors(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations
    .filter((violation) => violation.severity === 'error')
    .map(
      (violation) =>
        `${violation.ruleName}: ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
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
}

/** All statements of the inline policies attached to the role with logical id prefix `rolePrefix`. */
export function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const statements: Statement[] = [];
  for (const policy of Object.values(policies)) {
    const roles = (policy.Properties.Roles ?? []) as { Ref?: string }[];
    if (!roles.some((role) => role.Ref?.startsWith(rolePrefix))) continue;
    for (const raw of policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]) {
      statements.push({
        ...(typeof raw.Sid === 'string' ? { sid: raw.Sid } : {}),
        effect: String(raw.Effect),
        actions: ([] as unknown[]).concat(raw.Action).map(String).sort(),
        resources: ([] as unknown[]).concat(raw.Resource),
      });
    }
  }
  return statements;
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
