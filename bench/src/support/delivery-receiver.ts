/**
 * The stand-in for an ad platform in B8, run as its own child process (`fork`) so its CPU is
 * measured apart from the producer's: answers 200 at once and reports, in batches over IPC,
 * when each conversion first came. Messages to the parent: `{ port }` once listening, then
 * `{ arrivals: [conversionId, occurredAt ms, arrived ms][] }` every REPORT_MS.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

const REPORT_MS = 50;

/** One arrival as sent to the parent: conversion id, its occurred-at and arrival time in ms. */
export type ReceivedArrival = [conversionId: string, occurredAt: number, at: number];

function main(): void {
  const seen = new Set<string>();
  let pending: ReceivedArrival[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    const conversionId = url.searchParams.get('cid') ?? '';
    if (!seen.has(conversionId)) {
      seen.add(conversionId);
      pending.push([conversionId, Date.parse(url.searchParams.get('at') ?? ''), Date.now()]);
    }
    request.resume();
    response.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  setInterval(() => {
    if (pending.length === 0) return;
    process.send?.({ arrivals: pending });
    pending = [];
  }, REPORT_MS);
  // The parent going away (or disconnecting the channel) ends the receiver.
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) main();
