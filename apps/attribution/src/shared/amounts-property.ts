import { ApiProperty } from '@nestjs/swagger';

/**
 * OpenAPI for an amount per currency (`{"USD": "150.00"}`: decimal strings, never floats, SPEC
 * section 3), as the funnel and the click journey answer them.
 */
export const AmountsPerCurrency = (description: string, example?: Record<string, string>) =>
  ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    ...(example ? { example } : {}),
    description,
  });
