import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

/** "fieldParams.trader_id must be a string": the path of the offending field first. */
function describe(errors: ValidationError[], parent = ''): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const constraint of Object.values(error.constraints ?? {})) {
      messages.push(
        constraint.startsWith(error.property)
          ? `${path}${constraint.slice(error.property.length)}`
          : `${path}: ${constraint}`,
      );
    }
    if (error.children?.length) messages.push(...describe(error.children, path));
  }
  return messages;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
  });
}
