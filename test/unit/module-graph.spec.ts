import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const REPO_ROOT = join(__dirname, '../..');
const DEPCRUISE = join(REPO_ROOT, 'node_modules/.bin/depcruise');

/**
 * The module graph's rules (.dependency-cruiser.cjs) against a tiny monorepo written for each case:
 * a forbidden import fails with the rule's name, an allowed one passes. (`npm test` runs the same
 * rules over the real tree in `npm run lint`.)
 */
describe('the module graph rules', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'module-graph-'));
    for (const folder of ['apps', 'libs']) mkdirSync(join(root, folder));
    copyFileSync(join(REPO_ROOT, '.dependency-cruiser.cjs'), join(root, '.dependency-cruiser.cjs'));
    writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, dirname(path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  }

  function cruise(): { status: number | null; output: string } {
    const run = spawnSync(DEPCRUISE, ['apps', 'libs', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: root, encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  }

  it('lets a library import one below it', () => {
    write({
      'libs/ledger/src/ledger.service.ts': "import { money } from '../../contracts/src/money';\nexport const posted = money;\n",
      'libs/contracts/src/money.ts': 'export const money = 1;\n',
      'apps/web/src/main.ts': "import { money } from '../../../libs/contracts/src/money';\nexport const shown = money;\n",
    });
    expect(cruise()).toEqual({ status: 0, output: expect.stringContaining('no dependency violations') });
  });

  it('refuses an import that points up a layer, naming the rule', () => {
    write({
      'libs/auth/src/auth.service.ts': "import { posted } from '../../ledger/src/ledger.service';\nexport const signedIn = posted;\n",
      'libs/ledger/src/ledger.service.ts': 'export const posted = 1;\n',
    });
    const result = cruise();
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('layers: auth (identity and plumbing) imports only libraries below it: libs/auth/src/auth.service.ts → libs/ledger/src/ledger.service.ts');
  });

  it('refuses two libraries of one layer reaching each other (no cycles between libraries)', () => {
    write({
      'libs/ledger/src/ledger.service.ts': "import { card } from '../../accounts/src/cards';\nexport const posted = card;\n",
      'libs/accounts/src/cards.ts': 'export const card = 1;\n',
      'libs/accounts/src/accounts.service.ts': "import { posted } from '../../ledger/src/ledger.service';\nexport const opened = posted;\n",
    });
    const result = cruise();
    expect(result.output).toContain('layers: accounts (core features) imports only libraries below it: libs/accounts/src/accounts.service.ts → libs/ledger/src/ledger.service.ts');
    expect(result.output).not.toContain('libs/ledger/src/ledger.service.ts → libs/accounts/src/cards.ts');
  });

  it('keeps the browser to contracts, contracts a leaf, apps out of libraries, and every library placed', () => {
    write({
      'apps/web/src/main.ts': "import { pool } from '../../../libs/db/src/sql-pool';\nexport const p = pool;\n",
      'libs/db/src/sql-pool.ts': 'export const pool = 1;\n',
      'libs/contracts/src/money.ts': "import { pool } from '../../db/src/sql-pool';\nexport const money = pool;\n",
      'libs/config/src/app-config.ts': "import { started } from '../../../apps/api/src/main';\nexport const config = started;\n",
      'apps/api/src/main.ts': "import { thing } from '../../../libs/gadgets/src/thing';\nexport const started = thing;\n",
      'libs/gadgets/src/thing.ts': 'export const thing = 1;\n',
    });
    const { status, output } = cruise();
    expect(status).not.toBe(0);
    expect(output).toContain('the browser imports contracts only: apps/web/src/main.ts → libs/db/src/sql-pool.ts');
    expect(output).toContain('contracts is a leaf: libs/contracts/src/money.ts → libs/db/src/sql-pool.ts');
    expect(output).toContain('libraries never import an app: libs/config/src/app-config.ts → apps/api/src/main.ts');
    expect(output).toContain('layers: every library has a place: apps/api/src/main.ts → libs/gadgets/src/thing.ts');
  });

  it('refuses a cycle between files', () => {
    write({
      'libs/ledger/src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'libs/ledger/src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    });
    expect(cruise().output).toMatch(/no import cycles between files: libs\/ledger\/src\/a\.ts →\s+libs\/ledger\/src\/b\.ts/);
  });
});
