import PDFDocument from 'pdfkit';
import { STATEMENT_COLUMNS, statementCells, statementFigures, statementLine, type StatementEntry, type StatementSummary } from './statement-format';

/** The characters of Windows-1252 above ASCII that are not Latin-1 (0x80–0x9F): what the standard PDF fonts can show besides Latin-1. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

function isWinAnsi(char: string): boolean {
  const code = char.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(char);
}

/**
 * Text the standard fonts (WinAnsi) can show: a character outside it loses its accents if that is
 * enough (`Ł` stays `?`, `Ş` becomes `S`), else becomes `?`. Control characters become spaces.
 * The CSV keeps the text as it is; only the PDF, which embeds no font, needs this.
 */
export function winAnsiText(text: string): string {
  let shown = '';
  for (const char of text) {
    if (isWinAnsi(char)) shown += char;
    else if (/\p{Cc}/u.test(char)) shown += ' ';
    else {
      const bare = char.normalize('NFKD').replace(/\p{M}/gu, '');
      shown += bare.length > 0 && [...bare].every(isWinAnsi) ? bare : '?';
    }
  }
  return shown;
}

const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const MARGIN = 48;
const TABLE_FONT_SIZE = 8;
const ROW_HEIGHT = 13;
/** Widths of STATEMENT_COLUMNS (A4 is 595 pt wide: 499 between the margins). */
const COLUMN_WIDTHS = [88, 50, 112, 124, 55, 70];
const NUMERIC_COLUMNS = new Set([4, 5]);

/** `text` cut with an ellipsis to fit `width` at the current font. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 0 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Draws the statement with pdfkit as its entries arrive: the document is a stream, so pages go
 * out as they fill. Each page repeats the table's header and carries a footer with the account,
 * the month and its page number ("Page n": a total would need every page kept until the end).
 */
export class StatementPdf {
  readonly doc: PDFKit.PDFDocument;
  private page = 0;
  private y = 0;

  constructor(private readonly summary: StatementSummary) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      autoFirstPage: false,
      info: { Title: `Statement ${summary.accountNumber} ${summary.month}`, Author: 'BankingCore', CreationDate: summary.generatedAt },
    });
  }

  /**
   * Draws everything as the pages of entries arrive, then ends the document. A failed read
   * destroys the stream: the client sees a broken download, never a statement that looks whole.
   */
  async draw(pages: AsyncIterable<readonly StatementEntry[]>): Promise<void> {
    try {
      this.begin();
      for await (const page of pages) {
        // The client went away: stop reading pages nobody will see.
        if (this.doc.destroyed) return;
        this.lines(page);
      }
      this.end();
    } catch (error) {
      this.doc.destroy(error as Error);
    }
  }

  /** The first page: title, the figures, the table's header. */
  private begin(): void {
    this.addPage();
    const doc = this.doc;
    doc.font(BOLD).fontSize(16).text('Statement of account', MARGIN, MARGIN);
    doc.moveDown(0.5);
    for (const [label, value] of statementFigures(this.summary)) {
      const y = doc.y;
      doc.font(BOLD).fontSize(10).text(`${label}:`, MARGIN, y, { width: 110, lineBreak: false });
      doc.font(FONT).fontSize(10).text(fit(doc, winAnsiText(value), 380), MARGIN + 115, y, { width: 385, lineBreak: false });
      doc.y = y + 14;
    }
    this.y = doc.y + 12;
    this.tableHeader();
  }

  private lines(entries: readonly StatementEntry[]): void {
    for (const entry of entries) {
      if (this.y + ROW_HEIGHT > this.bottom()) {
        this.addPage();
        this.y = MARGIN;
        this.tableHeader();
      }
      this.row(statementCells(statementLine(entry)).map((cell, column) => (column === 0 ? cell.replace('T', ' ').slice(0, 19) : cell)), FONT);
    }
  }

  private end(): void {
    if (this.summary.entryCount === 0) this.doc.font(FONT).fontSize(9).text('No entries in this period.', MARGIN, this.y + 4, { lineBreak: false });
    this.doc.end();
  }

  private bottom(): number {
    return this.doc.page.height - MARGIN - 20;
  }

  private tableHeader(): void {
    this.row([...STATEMENT_COLUMNS], BOLD);
    const doc = this.doc;
    doc.moveTo(MARGIN, this.y - 2).lineTo(MARGIN + COLUMN_WIDTHS.reduce((a, b) => a + b, 0), this.y - 2).lineWidth(0.5).stroke();
  }

  private row(cells: readonly string[], font: string): void {
    const doc = this.doc.font(font).fontSize(TABLE_FONT_SIZE);
    let x = MARGIN;
    cells.forEach((cell, column) => {
      const width = COLUMN_WIDTHS[column];
      doc.text(fit(doc, winAnsiText(cell), width - 4), x, this.y, { width: width - 4, lineBreak: false, align: NUMERIC_COLUMNS.has(column) ? 'right' : 'left' });
      x += width;
    });
    this.y += ROW_HEIGHT;
  }

  private addPage(): void {
    const doc = this.doc.addPage();
    this.page++;
    // The footer sits in the bottom margin: without lifting the margin pdfkit would start a new page for it.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font(FONT)
      .fontSize(8)
      .text(`Account ${this.summary.accountNumber} · ${this.summary.month} · Page ${this.page}`, MARGIN, doc.page.height - MARGIN, {
        width: doc.page.width - 2 * MARGIN,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottomMargin;
  }
}
