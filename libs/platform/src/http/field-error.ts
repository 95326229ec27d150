import { BadRequestException } from '@nestjs/common';

/**
 * A `400` about one request field: the body is `{"statusCode": 400, "message", "field"}`
 * (SPEC section 4: "Errors may add `field` naming the request field at fault"). `field` is the
 * field's path as the request names it (`limit`, `cursor`, `headers.X-Token`, `events.0.name`).
 */
export class FieldBadRequestException extends BadRequestException {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super({ statusCode: 400, message, field });
  }
}
