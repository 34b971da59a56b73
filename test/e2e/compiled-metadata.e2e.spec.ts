import { join } from 'node:path';
import { REPO_ROOT } from '../support/processes';

/** The shipped build is compiled by tsc, not SWC: its decorator metadata must be there too. */
describe('decorator metadata in the tsc build (dist/)', () => {
  it('records constructor parameter types that Nest injects by', () => {
    const { AuthService } = require(join(REPO_ROOT, 'dist/libs/auth/src/auth.service.js'));
    const names = (Reflect.getMetadata('design:paramtypes', AuthService) as Array<{ name: string }>).map((type) => type.name);
    expect(names).toEqual(['SqlEntityManager', 'SecretHasher', 'UsersService', 'TokenService', 'SecurityTrail', 'SignInWatch', 'SessionsService', 'FailedSignIns', 'TotpFactorsRepository', 'MfaChallenges']);
  });
});
