/**
 * The TSDoc `@example` blocks of the consumer author's surface (`shared/index.ts`), extracted as
 * TypeScript programs and type-checked against that surface: each example may use the 25 public
 * names (imported for it) and declare what else it needs (`declare const envelope: EventEnvelope;`),
 * nothing from the layer's internals. Run by a unit test, so `npm test` fails on an example that no
 * longer compiles or that teaches an internal call.
 */
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** One example of the public surface, as a program, and what the compiler said of it. */
export interface CheckedExample {
  /** `<exported name> (<file>:<line>)`. */
  readonly where: string;
  readonly code: string;
  /** The compiler's messages; empty when the example compiles. */
  readonly errors: readonly string[];
}

const FENCE = /```ts\n([\s\S]*?)```/g;

/**
 * Extracts and type-checks every `@example` of the names `shared/index.ts` exports.
 *
 * @example
 * ```ts
 * const failing = checkPublicExamples('/repo').filter((e) => e.errors.length > 0);
 * ```
 */
export function checkPublicExamples(root: string): CheckedExample[] {
  const indexFile = join(root, 'shared', 'index.ts');
  const configPath = join(root, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(
    ts.readConfigFile(configPath, ts.sys.readFile).config,
    ts.sys,
    root,
  );
  const options: ts.CompilerOptions = { ...config.options, noUnusedLocals: false, noUnusedParameters: false };
  const program = ts.createProgram([indexFile], options);
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(indexFile);
  if (!index) throw new Error(`cannot read ${indexFile}`);
  const moduleSymbol = checker.getSymbolAtLocation(index);
  if (!moduleSymbol) throw new Error('shared/index.ts has no exports');
  const publicNames = checker.getExportsOfModule(moduleSymbol).map((s) => s.getName());

  const examples: { where: string; code: string }[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.getDeclarations() ?? []) {
      for (const tag of ts.getJSDocTags(declaration)) {
        if (tag.tagName.text !== 'example') continue;
        const text =
          typeof tag.comment === 'string' ? tag.comment : (ts.getTextOfJSDocComment(tag.comment) ?? '');
        const file = declaration.getSourceFile();
        const line = file.getLineAndCharacterOfPosition(tag.getStart()).line + 1;
        for (const match of text.matchAll(FENCE)) {
          examples.push({
            where: `${exported.getName()} (${file.fileName.slice(root.length + 1)}:${line})`,
            code: match[1] ?? '',
          });
        }
      }
    }
  }

  // One virtual module per example, beside shared/, importing the public names only.
  const dir = join(root, 'examples');
  const files = new Map(
    examples.map((example, i) => [
      join(dir, `__tsdoc_example_${i}.ts`),
      // Declarations (`declare const`) go first; the rest runs in an async function, so an example
      // may `await` and `return` as a handler's body would.
      `import { ${publicNames.join(', ')} } from '../shared';\n${hoisted(example.code)}`,
    ]),
  );
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const checked = ts.createProgram([...files.keys()], options, host);
  return examples.map((example, i) => {
    const name = join(dir, `__tsdoc_example_${i}.ts`);
    const source = checked.getSourceFile(name);
    const diagnostics = source
      ? [...checked.getSyntacticDiagnostics(source), ...checked.getSemanticDiagnostics(source)]
      : [];
    return {
      ...example,
      errors: diagnostics.map((d) => {
        const at = d.start !== undefined && source ? source.getLineAndCharacterOfPosition(d.start).line : 0;
        return `line ${at}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      }),
    };
  });
}

/** `declare`, `import` and type lines at module level; everything else in an async function body. */
function hoisted(code: string): string {
  const lines = code.split('\n');
  const top = lines.filter((l) => /^(declare |import |type |interface )/.test(l));
  const body = lines.filter((l) => !/^(declare |import |type |interface )/.test(l));
  return `${top.join('\n')}\nexport async function example(): Promise<unknown> {\n${body.join('\n')}\n  return undefined;\n}\n`;
}

// Direct run: `npx tsx tools/docs/examples.ts` lists the examples that do not compile.
if (require.main === module) {
  const root = join(dirname(__filename), '..', '..');
  const results = checkPublicExamples(root);
  const failing = results.filter((r) => r.errors.length > 0);
  for (const f of failing) process.stdout.write(`${f.where}\n  ${f.errors.join('\n  ')}\n`);
  process.stdout.write(`${results.length - failing.length} of ${results.length} examples compile\n`);
  process.exitCode = failing.length > 0 ? 1 : 0;
}
