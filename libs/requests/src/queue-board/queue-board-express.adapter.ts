import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { QUEUE_BOARD_PATH } from './queue-board-access';

/**
 * Bull Board's own Express app, fitted to our edge: no `X-Powered-By` (the api hides it), and it
 * answers under `/admin/queues` only. Nest also mounts a `forRoutes('/admin/queues')` middleware on
 * the controller routes that path covers across the global prefix — `POST
 * /api/v1/admin/queues/session` — and the board must not handle, or re-prototype, that request.
 */
export class QueueBoardExpressAdapter extends ExpressAdapter {
  constructor() {
    super();
    this.app.disable('x-powered-by');
  }

  override getRouter(): RequestHandler {
    const board = super.getRouter() as RequestHandler;
    return (request: Request, response: Response, next: NextFunction) =>
      request.baseUrl.toLowerCase() === QUEUE_BOARD_PATH ? board(request, response, next) : next();
  }
}
