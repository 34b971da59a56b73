import { Body, Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { RegisterResponse } from '@bank/contracts/auth';
import { Public } from '@bank/auth/public.decorator';
import { RateLimit } from '@bank/auth/rate-limit.decorator';
import { RegistrationService } from './registration.service';
import { RegisterDto } from './dto/register.dto';

@ApiTags('auth')
@Controller()
export class RegistrationController {
  constructor(private readonly registration: RegistrationService) {}

  @Public()
  @RateLimit('register-ip', 'register-email')
  @Post('auth/register')
  register(@Body() body: RegisterDto): Promise<RegisterResponse> {
    return this.registration.register(body);
  }
}
