import { FieldBadRequestException } from './field-error';
import { PathParamFormatPipe } from './path-params';

describe('path parameters failing their own format (SPEC section 9)', () => {
  const uuid = new PathParamFormatPipe('id', /^[0-9a-f-]{36}$/i, 'a UUID');

  it('passes a well-formed value through unchanged', () => {
    const id = '0b7a2d6e-3f43-4d8c-9a55-0e2f1c6a7b10';
    expect(uuid.transform(id)).toBe(id);
  });

  it.each(['\ufffd', '\u0000', 'not-a-uuid', '', 'a/b'])(
    'refuses %j with a 400 naming the parameter in field',
    (value) => {
      let thrown: unknown;
      try {
        uuid.transform(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FieldBadRequestException);
      expect((thrown as FieldBadRequestException).getResponse()).toEqual({
        statusCode: 400,
        message: 'id must be a UUID',
        field: 'id',
      });
    },
  );
});
