import { IsObject, IsOptional } from 'class-validator';
import { createValidationPipe, KeepOwnEntries } from './validation';

class MapBody {
  @IsOptional()
  @IsObject()
  @KeepOwnEntries()
  map?: Record<string, unknown>;
}

describe('KeepOwnEntries (SPEC section 9: prototype member names are data)', () => {
  it('keeps keys class-transformer would drop, each an own property', async () => {
    const body = JSON.parse(
      '{"map":{"constructor":"c","toString":"t","hasOwnProperty":"h","__proto__":"p","a":"1"}}',
    );
    const result = (await createValidationPipe().transform(body, {
      type: 'body',
      metatype: MapBody,
    })) as MapBody;
    expect(Object.keys(result.map!).sort()).toEqual(
      ['__proto__', 'a', 'constructor', 'hasOwnProperty', 'toString'].sort(),
    );
    expect(result.map!.constructor).toBe('c');
    expect(Object.getPrototypeOf(result.map)).toBe(Object.prototype);
  });
});
