import { STATEMENT_MEDIA_TYPES, type StatementFormat } from '@bank/contracts/statements';
import { DomainError } from '@bank/problems/domain-error';

/** No format the client accepts: 406 with the types the api can give. */
export class StatementNotAcceptable extends DomainError {
  constructor() {
    super('NOT_ACCEPTABLE', 406, `A statement comes as ${STATEMENT_MEDIA_TYPES.csv} or ${STATEMENT_MEDIA_TYPES.pdf}: ask for one of them in Accept.`, {
      accepted: Object.values(STATEMENT_MEDIA_TYPES),
    });
  }
}

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').flatMap((part) => {
    const [range, ...parameters] = part.trim().toLowerCase().split(';');
    const [type, subtype] = range.trim().split('/');
    if (!type || !subtype) return [];
    const qParameter = parameters.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParameter ? Number(qParameter.slice(2)) : 1;
    return Number.isFinite(q) ? [{ type, subtype, q }] : [];
  });
}

/** The quality the client gives `mediaType`: that of its most specific matching range (RFC 9110 §12.5.1), 0 if none. */
function quality(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.split('/');
  const specificity = (range: MediaRange) =>
    range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
  const best = ranges.filter((range) => specificity(range) >= 0).sort((a, b) => specificity(b) - specificity(a))[0];
  return best?.q ?? 0;
}

/**
 * The format an `Accept` header asks for: the acceptable one with the highest quality; CSV when
 * there is no header, on a tie, or for `*\/*`. Nothing acceptable → 406 NOT_ACCEPTABLE.
 */
export function statementFormat(accept: string | undefined): StatementFormat {
  if (!accept?.trim()) return 'csv';
  const ranges = mediaRanges(accept);
  const csv = quality(ranges, STATEMENT_MEDIA_TYPES.csv);
  const pdf = quality(ranges, STATEMENT_MEDIA_TYPES.pdf);
  if (csv <= 0 && pdf <= 0) throw new StatementNotAcceptable();
  return pdf > csv ? 'pdf' : 'csv';
}
