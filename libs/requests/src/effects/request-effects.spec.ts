import { CUSTOMER_INPUT_TYPES, REQUEST_TYPES } from '@bank/contracts/requests';
import { REQUEST_EFFECTS } from './request-effects';

describe('the request effects', () => {
  it('has one effect for every request type, and none for a type that does not exist', () => {
    expect(Object.keys(REQUEST_EFFECTS).sort()).toEqual([...REQUEST_TYPES].sort());
    for (const type of REQUEST_TYPES) expect(typeof REQUEST_EFFECTS[type].fulfil).toBe('function');
  });

  it('takes the owner’s input exactly for the types that wait for it after approval', () => {
    const takingInput = REQUEST_TYPES.filter((type) => REQUEST_EFFECTS[type].prepareInput !== undefined);
    expect(takingInput.sort()).toEqual([...CUSTOMER_INPUT_TYPES].sort());
  });
});
