// Generates the Peggy parsers (ES modules with .d.ts) from grammar/*.peggy.
// The output is never committed: `npm run build`, `npm test` and `npm start` run this first.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const peggy = join(root, 'node_modules', 'peggy', 'bin', 'peggy.js');

/** One entry per grammar: where its parser goes, which rules may start a parse, and their TS types. */
const grammars = [
  {
    source: 'grammar/options.peggy',
    output: 'src/generated/options-parser.js',
    startRules: ['Options'],
    returnTypes: { Options: 'import("../runtime/option-list.js").RawOption[]' },
  },
  {
    source: 'grammar/query.peggy',
    output: 'src/host/generated/query-parser.js',
    startRules: ['Pipeline', 'Expression', 'FieldList', 'FieldNameList', 'Stats', 'Sort', 'Eval', 'Limit', 'Rename', 'Top'],
    returnTypes: {
      Pipeline: 'import("../query-ast.js").PipelineSegment[]',
      Expression: 'import("../query-ast.js").Expr',
      FieldList: 'import("../query-ast.js").FieldListSpec',
      FieldNameList: 'string[]',
      Stats: 'import("../query-ast.js").StatsSpec',
      Sort: 'import("../query-ast.js").SortSpec',
      Eval: 'import("../query-ast.js").EvalSpec',
      Limit: 'number',
      Rename: 'import("../query-ast.js").RenameSpec',
      Top: 'import("../query-ast.js").TopSpec',
    },
  },
];

for (const g of grammars) {
  mkdirSync(join(root, dirname(g.output)), { recursive: true });
  execFileSync(
    process.execPath,
    [
      peggy,
      '--format',
      'es',
      '--dts',
      '--allowed-start-rules',
      g.startRules.join(','),
      '--return-types',
      JSON.stringify(g.returnTypes),
      '-o',
      join(root, g.output),
      join(root, g.source),
    ],
    { stdio: 'inherit' },
  );
}
