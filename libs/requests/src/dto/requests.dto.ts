import { createZodDto } from 'nestjs-zod';
import { ApproveRequestSchema, CreateRequestSchema, ReassignRequestSchema, RejectRequestSchema, ReleaseRequestSchema, RequestListQuerySchema, SubmitInputBodySchema } from '@bank/contracts/requests';

export class CreateRequestDto extends createZodDto(CreateRequestSchema) {}
export class ApproveRequestDto extends createZodDto(ApproveRequestSchema) {}
export class RejectRequestDto extends createZodDto(RejectRequestSchema) {}
export class RequestListQueryDto extends createZodDto(RequestListQuerySchema) {}
export class SubmitInputDto extends createZodDto(SubmitInputBodySchema) {}
export class ReleaseRequestDto extends createZodDto(ReleaseRequestSchema) {}
export class ReassignRequestDto extends createZodDto(ReassignRequestSchema) {}
