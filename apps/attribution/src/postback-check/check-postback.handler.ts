import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  createEvent,
  mergePostbackParams,
  parseFormEncoded,
  PostbackReceivedEvent,
  readPostbackBody,
} from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { FieldBadRequestException } from '@tracker/platform';
import { DataSource } from 'typeorm';
import { ClickHistory, decide } from '../judgement/postback-decider';
import { readPostback } from '../judgement/postback-reading';
import { AttributionStore } from '../projection/attribution.store';
import { ATTRIBUTION_DB } from '../shared/schema';
import { PostbackCheckRequest, PostbackCheckResponse } from './postback-check.dto';

const POSTBACK_PATH = /\/api\/postbacks\/([^/]*)\/tracker-postback\/?$/;

/**
 * The dry run (SPEC section 4, `postback-check`): the verdict a postback would get now, from the
 * very reading and decider the live projection runs, against the click's stored history.
 * Records, counts and publishes nothing.
 */
@Injectable()
export class CheckPostbackHandler {
  constructor(
    private readonly integrations: IntegrationDirectory,
    @InjectDataSource(ATTRIBUTION_DB) private readonly dataSource: DataSource,
  ) {}

  /** @throws NotFoundException for another account's or an unknown integration; 400 for a bad url. */
  async execute(
    accountId: string,
    integrationId: string,
    request: PostbackCheckRequest,
  ): Promise<PostbackCheckResponse> {
    const integration = await this.integrations.getOwned(accountId, integrationId);
    if (!integration) throw new NotFoundException('integration not found');
    let url: URL;
    try {
      url = new URL(request.url, 'http://postback-check.invalid');
    } catch {
      throw new FieldBadRequestException(
        'url',
        'url must be a URL or a path with its query string',
      );
    }
    const named = POSTBACK_PATH.exec(url.pathname)?.[1];
    if (named !== undefined && named.toLowerCase() !== integration.id.toLowerCase()) {
      throw new FieldBadRequestException(
        'url',
        `url names another integration ('${named.slice(0, 64)}'): check it against this integration's own postback URL`,
      );
    }
    // Decoded as the ingress decodes every query (invalid UTF-8 as U+FFFD), so the dry run's
    // verdict is the live one.
    const query = parseFormEncoded(url.search.slice(1));
    const method = request.method ?? 'GET';
    const text = request.body ?? '';
    const contentType =
      request.contentType ??
      (text.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
    const { body, bodyError, rawBody } =
      text.length > 0
        ? readPostbackBody(text, contentType)
        : { body: null, bodyError: null, rawBody: null };
    const receivedAt = new Date();
    const event: PostbackReceivedEvent = createEvent(
      'PostbackReceived',
      {
        method,
        url: `${url.pathname}${url.search}`,
        query,
        body,
        contentType: text.length > 0 ? contentType : null,
        ...(bodyError !== null && { bodyError, rawBody }),
        remoteAddress: null,
        userAgent: null,
        event: null,
        clickId: null,
        receivedAt: receivedAt.toISOString(),
      },
      { accountId, integrationId: integration.id, occurredAt: receivedAt },
    );
    const reading = readPostback(event, integration);
    const click = reading.ok ? await this.history(accountId, reading.postback.clickId) : null;
    const verdict = decide(
      { postbackId: event.id, integrationId: integration.id, receivedAt, reading },
      click,
    );
    const postback = reading.ok ? reading.postback : null;
    const conversion = verdict.status === 'attributed' ? verdict.conversion : null;
    const params = mergePostbackParams(query, bodyError === null ? body : null);
    return {
      status: verdict.status,
      errorCode: verdict.status === 'attributed' ? null : verdict.errorCode,
      error: verdict.status === 'attributed' ? null : verdict.error,
      errorDetail: verdict.status === 'attributed' ? null : verdict.errorDetail,
      event: postback?.event ?? params.get('tracker.event') ?? null,
      clickId: postback?.clickId ?? null,
      amount: conversion ? conversion.amount : (postback?.amount ?? null),
      currency: conversion ? conversion.currency : (postback?.currency ?? null),
      tid: postback?.tid ?? null,
      fields: postback?.fields ?? {},
      stage: conversion?.stage ?? null,
      ordinal: conversion?.ordinal ?? null,
      params: [...params].map(([name, value]) => ({
        name,
        value,
        usedAs: Object.hasOwn(reading.paramsUsedAs, name) ? reading.paramsUsedAs[name] : null,
      })),
    };
  }

  /** The click's stored conversions, as the live judgement loads them; null when not this account's. */
  private async history(accountId: string, clickId: string): Promise<ClickHistory | null> {
    const store = new AttributionStore(this.dataSource.manager);
    const [click] = await store.clicks([clickId]);
    if (!click || click.account_id !== accountId) return null;
    return ClickHistory.of(await store.conversionsOf([clickId]));
  }
}
