import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes';

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Exposed internals (issue 19): what `npm run build` ships carries no source maps. */
describe('the production build (after npm run build)', () => {
  it('the web bundle the api serves has no .map file and no sourceMappingURL', () => {
    const files = filesUnder(join(REPO_ROOT, 'apps/web/dist'));
    expect(files.some((file) => file.endsWith('index.html'))).toBe(true);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    const bundles = files.filter((file) => /\.(js|mjs|css|html)$/.test(file));
    expect(bundles.length).toBeGreaterThan(1);
    expect(bundles.filter((file) => /sourceMappingURL/.test(readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('the server build has no source maps either', () => {
    const files = filesUnder(join(REPO_ROOT, 'dist'));
    expect(files.some((file) => file.endsWith('main.js'))).toBe(true);
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => file.endsWith('.js') && /sourceMappingURL/.test(readFileSync(file, 'utf8'))).slice(0, 3)).toEqual([]);
  });
});
