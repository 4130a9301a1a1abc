// tsc does not copy the generated .js parsers (and their .d.ts) into dist/: copy them next to the compiled code.
import { cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const dir of ['src/generated', 'src/host/generated']) {
  cpSync(join(root, dir), join(root, 'dist', dir), { recursive: true });
}
