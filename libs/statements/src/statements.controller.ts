import { Readable } from 'node:stream';
import { Controller, Get, Headers, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { STATEMENT_MEDIA_TYPES, statementFileName, type StatementPeriods } from '@bank/contracts/statements';
import { AccountIdPipe } from '@bank/accounts/account-id.pipe';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import { Roles } from '@bank/auth/roles.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { StatementsService } from './statements.service';
import { statementFormat } from './statement-media-type';
import { statementCsv } from './statement-csv';
import { StatementPdf } from './statement-pdf';

@ApiTags('statements')
@ApiBearerAuth()
@Roles('customer')
@Controller('accounts/:id/statements')
export class StatementsController {
  constructor(private readonly statements: StatementsService) {}

  @Get()
  @ApiOperation({
    summary: 'The months an account has statements for',
    description:
      '200 `{firstMonth, currentMonth}` (`YYYY-MM`, UTC): every month from the one the account was opened in (or of its first entry, if earlier) to the current one has a statement. ' +
      '404 `NOT_FOUND` for anyone else\'s account.',
  })
  periods(@CurrentUser() user: AuthenticatedUser, @Param('id', AccountIdPipe) accountId: string): Promise<StatementPeriods> {
    return this.statements.periods(user.id, accountId);
  }

  @Get(':month')
  @ApiParam({ name: 'month', description: 'A UTC calendar month, `YYYY-MM`', example: '2026-01' })
  @ApiOkResponse({
    description: 'The statement file (Content-Disposition: attachment)',
    content: { [STATEMENT_MEDIA_TYPES.csv]: { schema: { type: 'string' } }, [STATEMENT_MEDIA_TYPES.pdf]: { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiHeader({ name: 'Accept', required: false, description: '`text/csv` (the default) or `application/pdf`' })
  @ApiOperation({
    summary: "A month's statement as CSV or PDF",
    description:
      'The statement of one UTC calendar month (`:month` = `YYYY-MM`): holder, account number, currency, period, opening and closing balance, total in and total out (the sum of the debits, negative), ' +
      'then every entry oldest first — date (ISO 8601 UTC), kind, description, counterparty, signed amount, running balance — amounts in major units with two decimals. ' +
      'The format follows `Accept`: `text/csv` or `application/pdf`; none, `*/*` or a tie gives CSV; a header allowing neither is 406 `NOT_ACCEPTABLE` (the document lists `accepted`). ' +
      'Streamed as it is read, with `Content-Disposition: attachment; filename="statement-<number>-<YYYY-MM>.csv|pdf"`. ' +
      'A month is the range of the account\'s entries in commit order from the first made in it to the first made in the next, so each month opens at the last one\'s closing balance and opening + entries = closing, exactly. ' +
      'The current month is the statement to date; a month before the account had entries is empty with zero balances. ' +
      '400 `VALIDATION_FAILED` for a malformed month (`2026-13`, `2026-1`) or one that has not begun; 404 `NOT_FOUND` for anyone else\'s account. ' +
      'CSV: UTF-8, CRLF, RFC 4180 quoting; text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `\'` (CSV injection). ' +
      'PDF: A4 with the standard Helvetica font (none embedded); characters it cannot show lose their accents or become `?`.',
  })
  async statement(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', AccountIdPipe) accountId: string,
    @Param('month') month: string,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { summary, pages } = await this.statements.open(user.id, accountId, month);
    const format = statementFormat(accept);
    void reply
      .header('content-type', format === 'csv' ? `${STATEMENT_MEDIA_TYPES.csv}; charset=utf-8` : STATEMENT_MEDIA_TYPES.pdf)
      .header('content-disposition', `attachment; filename="${statementFileName(summary.accountNumber, summary.month, format)}"`)
      .header('cache-control', 'no-store');
    if (format === 'csv') return void reply.send(Readable.from(statementCsv(summary, pages)));
    const pdf = new StatementPdf(summary);
    void reply.send(pdf.doc);
    void pdf.draw(pages);
  }
}
