import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { User } from './entities/user.entity';
import { UsersService } from './users.service';
import { UsersRepository } from './users.repository';
import { SecretHasher } from './secret-hasher';

@Module({
  imports: [MikroOrmModule.forFeature([User])],
  providers: [UsersService, UsersRepository, SecretHasher],
  exports: [UsersService, SecretHasher],
})
export class UsersModule {}
