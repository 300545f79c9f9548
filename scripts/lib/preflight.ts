/**
 * What a synthesized template will create, read for `npm run preflight`: resources by type, the
 * functions, the event source mappings and the IAM each role is granted, as short tables.
 * Intrinsics are shown by what they point at (`Ref X` → `X`, `GetAtt X.Arn` → `X.Arn`).
 */
import { formatTable } from './cli';

/** A CloudFormation template, as much of it as is read here. */
export interface Template {
  readonly Resources?: Readonly<
    Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>
  >;
}

/**
 * A template value as text: strings as they are, `Ref`/`Fn::GetAtt` by the logical id they
 * name, `Fn::Join` and `Fn::Sub` joined, pseudo parameters as `${AWS::Region}`.
 *
 * @example
 * ```ts
 * show({ 'Fn::GetAtt': ['IdempotencyTable48612DF4', 'Arn'] }); // 'IdempotencyTable48612DF4.Arn'
 * ```
 */
export function show(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref.startsWith('AWS::') ? `\${${v.Ref}}` : v.Ref;
    const att = v['Fn::GetAtt'];
    if (Array.isArray(att)) return att.map(String).join('.');
    const join = v['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1]))
      return (join[1] as unknown[]).map(show).join(String(join[0]));
    const sub = v['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub) && typeof sub[0] === 'string') return sub[0];
    return JSON.stringify(value);
  }
  return '';
}

function resources(template: Template) {
  return Object.entries(template.Resources ?? {});
}

/**
 * Resources by type, most numerous first.
 *
 * @example
 * ```ts
 * resourceCounts(template); // [['AWS::CloudWatch::Alarm', 9], ['AWS::IAM::Policy', 4], ...]
 * ```
 */
export function resourceCounts(template: Template): [string, number][] {
  const counts = new Map<string, number>();
  for (const [, resource] of resources(template))
    counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** One function of a template. */
export interface FunctionRow {
  readonly id: string;
  readonly runtime: string;
  readonly memoryMb: string;
  readonly timeoutS: string;
  readonly architecture: string;
  readonly role: string;
}

/**
 * The Lambda functions (CloudFormation defaults shown where a property is unset: 128 MB, 3 s, x86_64).
 *
 * @example
 * ```ts
 * functionRows(template)[0]; // { id: 'SpellcheckerFunctionD320A2B6', runtime: 'nodejs24.x', memoryMb: '1024', ... }
 * ```
 */
export function functionRows(template: Template): FunctionRow[] {
  return resources(template)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => {
      const p = r.Properties ?? {};
      return {
        id,
        runtime: show(p.Runtime) || '-',
        memoryMb: show(p.MemorySize) || '128 (default)',
        timeoutS: show(p.Timeout) || '3 (default)',
        architecture: show(p.Architectures) || 'x86_64',
        role: show(p.Role),
      };
    });
}

/** One event source mapping of a template. */
export interface MappingRow {
  readonly function: string;
  readonly topics: string;
  readonly source: string;
  /** `key=value` of the settings that shape delivery and failure handling. */
  readonly settings: string;
}

const MAPPING_SETTINGS = [
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'StartingPosition',
  'FunctionResponseTypes',
  'BisectBatchOnFunctionError',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'Enabled',
] as const;

/**
 * The event source mappings: function, topics, source and delivery settings (on-failure
 * destination, consumer group and poller counts included).
 *
 * @example
 * ```ts
 * mappingRows(template).map((m) => m.topics); // ['huleedu.essay.batch.registered.v1', ...]
 * ```
 */
export function mappingRows(template: Template): MappingRow[] {
  return resources(template)
    .filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')
    .map(([, r]) => {
      const p = r.Properties ?? {};
      const settings: string[] = [];
      for (const name of MAPPING_SETTINGS)
        if (p[name] !== undefined) settings.push(`${name}=${show(p[name])}`);
      const group = (p.AmazonManagedKafkaEventSourceConfig ?? p.SelfManagedKafkaEventSourceConfig) as
        | { ConsumerGroupId?: unknown }
        | undefined;
      if (group?.ConsumerGroupId !== undefined)
        settings.push(`ConsumerGroupId=${show(group.ConsumerGroupId)}`);
      const pollers = p.ProvisionedPollerConfig as
        | { MinimumPollers?: unknown; MaximumPollers?: unknown }
        | undefined;
      if (pollers) settings.push(`Pollers=${show(pollers.MinimumPollers)}..${show(pollers.MaximumPollers)}`);
      const onFailure = (p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
        ?.OnFailure;
      if (onFailure?.Destination !== undefined) settings.push(`OnFailure=${show(onFailure.Destination)}`);
      const selfManaged = (
        p.SelfManagedEventSource as { Endpoints?: { KafkaBootstrapServers?: unknown } } | undefined
      )?.Endpoints?.KafkaBootstrapServers;
      return {
        function: show(p.FunctionName),
        topics: show(p.Topics),
        source:
          p.EventSourceArn !== undefined
            ? show(p.EventSourceArn)
            : selfManaged !== undefined
              ? show(selfManaged)
              : '-',
        settings: settings.join(' '),
      };
    });
}

/** One grant: a role, the actions, the resources. */
export interface GrantRow {
  readonly role: string;
  readonly effect: string;
  readonly actions: string;
  readonly resources: string;
}

/**
 * The IAM every role is granted: each statement of the policies attached to it (inline and
 * `AWS::IAM::Policy`), and its managed policies.
 *
 * @example
 * ```ts
 * grantRows(template).filter((g) => g.role === 'SpellcheckerRole2D31F6EC');
 * ```
 */
export function grantRows(template: Template): GrantRow[] {
  const rows: GrantRow[] = [];
  const statementsOf = (role: string, document: unknown) => {
    const statements = (document as { Statement?: unknown } | undefined)?.Statement;
    for (const s of Array.isArray(statements) ? statements : []) {
      const statement = s as { Effect?: unknown; Action?: unknown; Resource?: unknown; Condition?: unknown };
      rows.push({
        role,
        effect: show(statement.Effect),
        actions: show(statement.Action),
        resources: `${show(statement.Resource)}${statement.Condition ? ' (with a condition)' : ''}`,
      });
    }
  };
  for (const [id, r] of resources(template)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Role') {
      for (const managed of Array.isArray(p.ManagedPolicyArns) ? p.ManagedPolicyArns : []) {
        rows.push({ role: id, effect: 'Allow', actions: '(managed policy)', resources: show(managed) });
      }
      for (const inline of Array.isArray(p.Policies) ? p.Policies : []) {
        statementsOf(id, (inline as { PolicyDocument?: unknown }).PolicyDocument);
      }
    }
    if (r.Type === 'AWS::IAM::Policy') {
      for (const role of Array.isArray(p.Roles) ? p.Roles : []) statementsOf(show(role), p.PolicyDocument);
    }
  }
  return rows.sort((a, b) => a.role.localeCompare(b.role));
}

/**
 * The whole summary of a template, as text.
 *
 * @example
 * ```ts
 * process.stdout.write(summarize('KafkaEffectivelyOnce', template));
 * ```
 */
export function summarize(stack: string, template: Template): string {
  const counts = resourceCounts(template);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const parts = [
    `Stack ${stack}: ${total} resources`,
    formatTable<[string, number]>(
      [
        { header: 'type', cell: ([type]) => type },
        { header: 'count', cell: ([, n]) => String(n), right: true },
      ],
      counts,
    ),
  ];
  const functions = functionRows(template);
  if (functions.length > 0) {
    parts.push(
      'Functions',
      formatTable<FunctionRow>(
        [
          { header: 'function', cell: (f) => f.id },
          { header: 'runtime', cell: (f) => f.runtime },
          { header: 'memory MB', cell: (f) => f.memoryMb, right: true },
          { header: 'timeout s', cell: (f) => f.timeoutS, right: true },
          { header: 'arch', cell: (f) => f.architecture },
        ],
        functions,
      ),
    );
  }
  const mappings = mappingRows(template);
  if (mappings.length > 0) {
    parts.push(
      'Event source mappings',
      formatTable<MappingRow>(
        [
          { header: 'function', cell: (m) => m.function },
          { header: 'topics', cell: (m) => m.topics },
          { header: 'source', cell: (m) => m.source, max: 60 },
          { header: 'settings', cell: (m) => m.settings },
        ],
        mappings,
      ),
    );
  }
  const grants = grantRows(template);
  if (grants.length > 0) {
    parts.push(
      'IAM granted (per role: actions -> resources)',
      formatTable<GrantRow>(
        [
          { header: 'role', cell: (g) => g.role },
          { header: 'effect', cell: (g) => g.effect },
          { header: 'actions', cell: (g) => g.actions },
          { header: 'resources', cell: (g) => g.resources, max: 100 },
        ],
        grants,
      ),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
