import type { DestinationMethod } from '@tracker/contracts';

/** A ready-made destination (`GET /api/destination-templates`, SPEC section 4). */
export interface DestinationTemplatePreset {
  readonly id: string;
  readonly name: string;
  readonly method: DestinationMethod;
  /** Upper-case words such as `PIXEL_ID` are placeholders to replace; `{…}` are macros. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
  readonly stages: readonly string[];
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export const DESTINATION_TEMPLATES: readonly DestinationTemplatePreset[] = [
  {
    id: 's2s-get',
    name: 'S2S postback (Keitaro, Binom style)',
    method: 'GET',
    url: 'https://TRACKER_DOMAIN/postback?subid={clickid}&status={stage}&payout={amount}&currency={currency}&tid={conversion_id}',
    headers: {},
    body: null,
    stages: ['registration', 'first_deposit', 'redeposit'],
  },
  {
    id: 'facebook-capi',
    name: 'Facebook Conversions API',
    method: 'POST',
    url: 'https://graph.facebook.com/v21.0/PIXEL_ID/events?access_token=ACCESS_TOKEN',
    headers: JSON_HEADERS,
    body:
      '{"data":[{"event_name":"Purchase","event_time":{unix},"event_id":"{conversion_id}",' +
      '"action_source":"website","user_data":{"external_id":["{clickid}"],' +
      '"fbc":"{fbc}"},' +
      '"custom_data":{"value":"{amount}","currency":"{currency}"}}]}',
    stages: ['first_deposit', 'redeposit'],
  },
  {
    id: 'tiktok-events',
    name: 'TikTok Events API',
    method: 'POST',
    url: 'https://business-api.tiktok.com/open_api/v1.3/event/track/',
    headers: { ...JSON_HEADERS, 'Access-Token': 'ACCESS_TOKEN' },
    body:
      '{"event_source":"web","event_source_id":"PIXEL_CODE","data":[{"event":"CompletePayment",' +
      '"event_time":{unix},"event_id":"{conversion_id}",' +
      '"user":{"ttclid":"{click.ttclid}","external_id":"{clickid}"},' +
      '"properties":{"value":"{amount}","currency":"{currency}"}}]}',
    stages: ['first_deposit', 'redeposit'],
  },
  // Two bot templates, because macros have no conditionals: a sign-up has no ordinal and no
  // amount, and one text for both would read "registration # of click …:   ".
  {
    id: 'telegram-bot',
    name: 'Telegram bot message: deposits',
    method: 'POST',
    url: 'https://api.telegram.org/botBOT_TOKEN/sendMessage',
    headers: JSON_HEADERS,
    body: '{"chat_id":"CHAT_ID","text":"Deposit #{ordinal}: {amount} {currency}\\nClick: {clickid}\\nCampaign: {campaign}\\nSource: {source}"}',
    stages: ['first_deposit', 'redeposit'],
  },
  {
    id: 'telegram-bot-signups',
    name: 'Telegram bot message: sign-ups',
    method: 'POST',
    url: 'https://api.telegram.org/botBOT_TOKEN/sendMessage',
    headers: JSON_HEADERS,
    body: '{"chat_id":"CHAT_ID","text":"Sign-up step: {stage}\\nClick: {clickid}\\nCampaign: {campaign}\\nSource: {source}"}',
    stages: ['registration', 'email_confirmation'],
  },
];
