import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'bankingcore:isPublic';

/** Opens a route to anonymous callers; every other route needs a valid access token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
