import { createZodDto } from 'nestjs-zod';
import { MarkNotificationsReadSchema, NotificationListQuerySchema } from '@bank/contracts/notifications';

export class NotificationListQueryDto extends createZodDto(NotificationListQuerySchema) {}
export class MarkNotificationsReadDto extends createZodDto(MarkNotificationsReadSchema) {}
