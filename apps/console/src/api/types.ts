/** Shapes of the tracker's HTTP API the console reads (SPEC section 4). */

export interface Account {
  id: string;
  name: string;
  createdAt: string;
}

export interface ApiKeyInfo {
  id: string;
  prefix: string;
  name?: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface TemplateEvent {
  name: string;
  label: string;
  kind: string;
  params: Record<string, string>;
}

export interface Template {
  id: string;
  name: string;
  clickIdParam: string;
  amountParam: string | null;
  defaultCurrency: string | null;
  fieldParams: Record<string, string>;
  events: TemplateEvent[];
}

export interface IntegrationEvent extends TemplateEvent {
  postbackUrl: string;
  receivedCount: number;
  lastReceivedAt: string | null;
}

export interface RegistrationLink {
  id: string;
  name: string;
  baseUrl: string;
  finalUrl: string;
  trackingUrl: string;
}

export interface Integration {
  id: string;
  name: string;
  template: string;
  clickIdParam: string;
  amountParam: string | null;
  defaultCurrency: string | null;
  fieldParams: Record<string, string>;
  enabled: boolean;
  createdAt: string;
  statusParam?: string;
  tidParam?: string | null;
  rateLimitPerSecond?: number | null;
  events: IntegrationEvent[];
  registrationLinks?: RegistrationLink[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export interface ErrorDetail {
  param: string | null;
  value: string | null;
  cause: string;
}

export interface LogConversion {
  stage: string;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
}

export interface PostbackLogItem {
  id: string;
  receivedAt: string;
  integrationId: string;
  integrationName: string | null;
  event: string | null;
  clickId: string | null;
  status: string;
  errorCode: string | null;
  error: string | null;
  errorDetail?: ErrorDetail | null;
  url: string;
  method: string;
  params: Record<string, unknown>;
  body?: unknown;
  contentType?: string | null;
  paramsUsedAs?: Record<string, string | null> | null;
  remoteAddress?: string | null;
  userAgent?: string | null;
  clickedAt?: string | null;
  conversion: LogConversion | null;
}

export interface ClickJourney {
  clickId: string;
  integrationId: string | null;
  linkId: string | null;
  campaign: string | null;
  source: string | null;
  subscriberId: string | null;
  params: Record<string, string | string[]>;
  createdAt: string;
  stage: string | null;
  fields: Record<string, string>;
  events: Array<{
    postbackId: string;
    event: string;
    stage: string;
    ordinal: number | null;
    amount: string | null;
    currency: string | null;
    tid: string | null;
    receivedAt: string;
  }>;
  totals: {
    deposits: number;
    depositAmount: Record<string, string>;
    reversals?: number;
    reversedAmount?: Record<string, string>;
    netDepositAmount?: Record<string, string>;
  };
}

export interface Conversion {
  id: string;
  postbackId: string;
  clickId: string;
  integrationId: string;
  event: string;
  stage: string;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  campaign: string | null;
  source: string | null;
  reverses: string | null;
  reversedBy: string | null;
  occurredAt: string;
}

export interface FunnelRow {
  key: string | null;
  other?: boolean;
  clicks: number;
  registrations: number;
  emailConfirmations: number;
  firstDeposits: number;
  redeposits: number;
  uniqueRedepositors: number;
  withdrawals: number;
  depositAmount: Record<string, string>;
  commissionAmount: Record<string, string>;
  reversals?: number;
  reversedAmount?: Record<string, string>;
  netDepositAmount?: Record<string, string>;
  click2reg: number | null;
  reg2fd: number | null;
  fd2rd: number | null;
}

export interface PostbackCheck {
  status: string;
  errorCode: string | null;
  error: string | null;
  errorDetail: ErrorDetail | null;
  event: string | null;
  clickId: string | null;
  amount: string | null;
  currency: string | null;
  params: Array<{ name: string; value: string; usedAs: string | null }>;
}

/** An outgoing postback (SPEC section 4, Outgoing postbacks): secrets arrive masked (`•••1234`). */
export interface Destination {
  id: string;
  name: string;
  integrationId: string | null;
  stages: string[];
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt?: string;
}

export interface DestinationTemplate {
  id: string;
  name: string;
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: string | null;
  stages: string[];
}

/** `POST /api/destinations/:id/test`: the request sent (masked) and what came back. */
export interface DestinationTestResult {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  response: {
    status: number | null;
    body: string | null;
    error: string | null;
    durationMs: number;
  };
}

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  destinationId: string;
  conversionId: string;
  clickId: string;
  stage: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  request: { method: string | null; url: string | null };
  createdAt: string;
}

export interface DeliveryAttempt {
  attempt: number;
  attemptedAt: string;
  request: { method: string; url: string; bodySize: number };
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  outcome: string;
  nextAttemptAt: string | null;
}

export interface DeliveryDetail extends Delivery {
  history: DeliveryAttempt[];
}
