import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { NotificationPage, NotificationView, UnreadCount } from '@bank/contracts/notifications';
import { CurrentUser } from '@bank/auth/current-user.decorator';
import type { AuthenticatedUser } from '@bank/auth/access-token';
import { WithoutOrmContext } from '@bank/db/orm-request-context';
import { NotFound } from '@bank/problems/domain-error';
import { NotificationsService } from './notifications.service';
import { MarkNotificationsReadDto, NotificationListQueryDto } from './dto/notifications.dto';

const NotificationIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new NotFound('The notification') });

/** API.md "Notifications": every signed-in user's own notifications, whatever their role. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @WithoutOrmContext()
  @ApiOperation({
    summary: 'The caller’s notifications, newest first, with the unread count',
    description: '`unread=true` lists only unread ones. `unreadCount` counts all of the caller’s unread notifications, whatever the page.',
  })
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: NotificationListQueryDto): Promise<NotificationPage> {
    return this.notifications.list(user.id, query);
  }

  @Get(':id')
  @WithoutOrmContext()
  @ApiOperation({ summary: 'One of the caller’s notifications (404 for anyone else’s)' })
  get(@CurrentUser() user: AuthenticatedUser, @Param('id', NotificationIdPipe) id: string): Promise<NotificationView> {
    return this.notifications.get(user.id, id);
  }

  @Post('read')
  @WithoutOrmContext()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark notifications read',
    description:
      '`{upTo: id}` marks that notification and every older one of the caller’s read; `{ids: [id]}` (1–100) marks those. ' +
      'Answers the unread count after it; every device of the caller gets `notifications.read` with it (when something changed). ' +
      'An id that is not one of the caller’s notifications is 404 `NOT_FOUND` and nothing changes. Marking a read one again changes nothing.',
  })
  markRead(@CurrentUser() user: AuthenticatedUser, @Body() body: MarkNotificationsReadDto): Promise<UnreadCount> {
    return this.notifications.markRead(user.id, body);
  }
}
