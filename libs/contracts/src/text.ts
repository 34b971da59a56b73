/**
 * Free text the api stores (names, descriptions, notes, reasons, addresses) must be text PostgreSQL
 * can hold, in a `text` column and inside `jsonb`: no NUL character (U+0000) and no unpaired UTF-16
 * surrogate (JSON can carry `"\ud800"`, PostgreSQL refuses it in jsonb and the driver would silently
 * turn it into U+FFFD in text). Refused as a validation error instead of failing in the database.
 */
export function isStorableText(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit === 0) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

export const STORABLE_TEXT_ERROR = 'must not contain NUL characters or unpaired surrogates';
