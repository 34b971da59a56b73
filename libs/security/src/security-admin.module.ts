import { Module } from '@nestjs/common';
import { UsersModule } from '@bank/users/users.module';
import { SecurityModule } from './security.module';
import { SecurityAdminController } from './security-admin.controller';
import { UserLocksController } from './user-locks.controller';
import { UserLocksService } from './user-locks.service';

/** The admin's security routes: the trail, and locking/unlocking users. */
@Module({
  imports: [SecurityModule, UsersModule],
  providers: [UserLocksService],
  controllers: [SecurityAdminController, UserLocksController],
  exports: [UserLocksService],
})
export class SecurityAdminModule {}
