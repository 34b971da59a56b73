import { maskHolderName } from './holder-name';

describe('maskHolderName', () => {
  it.each([
    ['Bob Builder', 'Bob B.'],
    ['Cher', 'Cher'],
    ['  Mary   Ann  van der  Berg ', 'Mary B.'],
    ['José álvarez', 'José Á.'],
    ['Zoë 𝒵ed', 'Zoë 𝒵.'],
  ])('%j → %j', (fullName, masked) => expect(maskHolderName(fullName)).toBe(masked));
});
