import { Module } from '@nestjs/common';
import { SecurityModule } from './security.module';
import { SecurityAdminController } from './security-admin.controller';

@Module({
  imports: [SecurityModule],
  controllers: [SecurityAdminController],
})
export class SecurityAdminModule {}
