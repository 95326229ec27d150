import { ConversionRecordedDefinition, type ConversionRecordedEvent } from '@tracker/contracts';
import { DESTINATION_TEMPLATES } from './destination-templates';
import { renderRequest } from './rendered-request';
import {
  conversionMacroValues,
  facebookClickId,
  isKnownMacro,
  renderTemplate,
  unknownMacros,
} from './template-macros';

const conversion: ConversionRecordedEvent = {
  ...ConversionRecordedDefinition.example,
  occurredAt: '2026-11-24T05:00:00.040Z',
  payload: {
    ...ConversionRecordedDefinition.example.payload,
    campaign: 'winter promo&more',
    source: 'tg "ads"',
    tid: null,
    fields: { trader_id: '48213977', note: 'a\r\nb' },
    clickParams: { fbclid: 'IwAR2 x/y', __proto__: 'p' } as Record<string, string>,
  },
};
const values = conversionMacroValues(conversion);

describe('destination template macros (SPEC section 4)', () => {
  it('given every simple macro, when rendered as text, then each becomes its value', () => {
    const template =
      '{clickid}|{conversion_id}|{event}|{stage}|{ordinal}|{amount}|{currency}|{tid}|' +
      '{campaign}|{source}|{subscriber_id}|{occurred_at}|{unix}';
    expect(renderTemplate(template, values, 'text')).toBe(
      `Xk3p9QmZ2rTa|${conversion.id}|resale|first_deposit|1|50.00|USD||winter promo&more|` +
        'tg "ads"|781234567|2026-11-24T05:00:00.040Z|1795496400',
    );
  });

  it('given keyed macros, when rendered, then fields and click parameters are looked up as data', () => {
    expect(
      renderTemplate(
        '{fields.trader_id}-{click.fbclid}-{fields.missing}-{click.constructor}',
        values,
        'text',
      ),
    ).toBe('48213977-IwAR2 x/y--');
  });

  it('given a URL, when rendered, then values are percent-encoded and the template text is kept', () => {
    expect(
      renderTemplate(
        'https://t.example/p?c={campaign}&s={source}&f={click.fbclid}&x={tid}',
        values,
        'url',
      ),
    ).toBe('https://t.example/p?c=winter%20promo%26more&s=tg%20%22ads%22&f=IwAR2%20x%2Fy&x=');
  });

  it('given a JSON body, when rendered, then values are JSON-escaped without quotes and null is empty', () => {
    expect(
      renderTemplate('{"s":"{source}","n":"{fields.note}","t":"tid {tid}"}', values, 'json'),
    ).toBe('{"s":"tg \\"ads\\"","n":"a\\r\\nb","t":"tid "}');
  });

  it('given a JSON body, when a member holds only {fbc} and the click has no fbclid, then the member is left out with its comma', () => {
    const noFbclid = conversionMacroValues({
      ...conversion,
      payload: { ...conversion.payload, clickParams: {} },
    });
    const json = (template: string) => renderTemplate(template, noFbclid, 'json');
    expect(json('{"t":"{fbc}","s":"{source}"}')).toBe('{"s":"tg \\"ads\\""}');
    expect(json('{"a":1,"t":"{fbc}","b":2}')).toBe('{"a":1,"b":2}');
    expect(json('{"a":1, "t" : "{fbc}" }')).toBe('{"a":1 }');
    expect(json('{"t":"{fbc}"}')).toBe('{}');
    expect(json('{"t":"{fbc}","f":"{fbc}"}')).toBe('{}');
    expect(json('{"a":1,"t":"{fbc}","f":"{fbc}"}')).toBe('{"a":1}');
    expect(json('{\n  "x": {"t": "{fbc}"},\n  "t": "{fbc}",\n  "u": {unix}\n}')).toBe(
      '{\n  "x": {},\n  "u": 1795496400\n}',
    );
    // Not a member holding only {fbc}: rendered empty (SPEC section 4: null renders empty).
    expect(json('{"ids":["{fbc}"],"q":"say \\"{fbc}\\"","k":"{fbc} ","t":"{fbc}x"}')).toBe(
      '{"ids":[""],"q":"say \\"\\"","k":" ","t":"x"}',
    );
    expect(json('{"q":"a\\":\\"{fbc}\\""}')).toBe('{"q":"a\\":\\"\\""}');
    // Any other macro keeps SPEC's rule: a null value renders empty, the member stays.
    expect(json('{"t":"{tid}","f":"{fields.missing}"}')).toBe('{"t":"","f":""}');
    // Other bodies, URLs and headers keep the empty value.
    expect(renderTemplate('{"t":"{fbc}"}', noFbclid, 'text')).toBe('{"t":""}');
  });

  it('given the Facebook CAPI template, when the click has no fbclid, then fbc is left out; with one, it is fb.1.<click ms>.<fbclid>', () => {
    const template = DESTINATION_TEMPLATES.find((t) => t.id === 'facebook-capi')!;
    const userData = (clickParams: Record<string, string>) => {
      const request = renderRequest(template, {
        ...conversion,
        payload: { ...conversion.payload, clickParams },
      });
      return (JSON.parse(request.body!) as { data: Array<{ user_data: Record<string, unknown> }> })
        .data[0].user_data;
    };
    expect(userData({})).toEqual({ external_id: ['Xk3p9QmZ2rTa'] });
    expect(userData({ fbclid: '' })).toEqual({ external_id: ['Xk3p9QmZ2rTa'] });
    expect(userData({ fbclid: 'IwAR2F4-dbP0' })).toEqual({
      external_id: ['Xk3p9QmZ2rTa'],
      fbc: `fb.1.${Date.parse(conversion.payload.clickedAt)}.IwAR2F4-dbP0`,
    });
  });

  it('given a click, when its fbc is made, then it needs a non-empty fbclid and a readable click time', () => {
    expect(facebookClickId({ fbclid: 'IwAR' }, '2026-11-24T04:41:17.250Z')).toBe(
      'fb.1.1795495277250.IwAR',
    );
    expect(facebookClickId({}, '2026-11-24T04:41:17.250Z')).toBeNull();
    expect(facebookClickId({ fbclid: 'IwAR' }, 'not a time')).toBeNull();
    expect(
      facebookClickId({ ['__proto__']: 'x' } as Record<string, string>, '2026-11-24T04:41:17.250Z'),
    ).toBeNull();
  });

  it('given a lone surrogate or NUL, when rendered into a URL, then it is encoded, never thrown', () => {
    const odd: typeof values = { ...values, fields: { bad: 'a\ud800b\u0000c' } };
    expect(renderTemplate('?v={fields.bad}', odd, 'url')).toBe('?v=a%EF%BF%BDb%00c');
    expect(renderTemplate('"{fields.bad}"', odd, 'json')).toBe('"a\\ud800b\\u0000c"');
  });

  it('given a header, when rendered, then values are raw with CR and LF removed', () => {
    expect(renderTemplate('Note {fields.note} {source}', values, 'header')).toBe(
      'Note ab tg "ads"',
    );
  });

  it('given braces that are not macros, when rendered, then they stay literal text', () => {
    expect(renderTemplate('{"a":{Upper},{x y},{},{unix}}', values, 'text')).toBe(
      '{"a":{Upper},{x y},{},1795496400}',
    );
  });

  it('given unknown macros, when checked, then each is named once', () => {
    expect(unknownMacros('{clickid}{payout}{fields}{fields.x}{click.}{payout}{Upper}')).toEqual([
      '{payout}',
      '{fields}',
    ]);
    expect(isKnownMacro('click.fb.clid-1')).toBe(true);
  });

  it('given a JSON destination, when its request is rendered, then URL, headers and body each get their escaping', () => {
    const request = renderRequest(
      {
        method: 'POST',
        url: 'https://x.example/c?s={source}',
        headers: { 'Content-Type': 'application/json', 'X-Note': '{fields.note}' },
        body: '{"campaign":"{campaign}","unix":{unix}}',
      },
      conversion,
    );
    expect(request).toEqual({
      method: 'POST',
      url: 'https://x.example/c?s=tg%20%22ads%22',
      headers: { 'Content-Type': 'application/json', 'X-Note': 'ab' },
      body: '{"campaign":"winter promo&more","unix":1795496400}',
    });
  });

  it('given a form body, when rendered, then values are raw text', () => {
    const request = renderRequest(
      { method: 'POST', url: 'https://x.example/', headers: {}, body: 'c={campaign}' },
      conversion,
    );
    expect(request.body).toBe('c=winter promo&more');
  });
});
