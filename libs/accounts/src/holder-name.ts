/**
 * A holder's name as a payer may see it before paying (API.md `GET /accounts/lookup`): the first
 * name and the initial of the last, `Bob Builder` → `Bob B.`. Enough to tell a typo from the
 * intended payee, not enough to learn who banks here. A one-word name is shown as it is (it has no
 * last name to shorten); between first and last, middle names are left out.
 */
export function maskHolderName(fullName: string): string {
  const parts = fullName.trim().split(/\s+/u).filter(Boolean);
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0];
  const [initial] = Array.from(parts[parts.length - 1]);
  return `${parts[0]} ${initial.toLocaleUpperCase('en-US')}.`;
}
