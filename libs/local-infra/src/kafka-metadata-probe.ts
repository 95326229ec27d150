import { createConnection } from 'node:net';

/**
 * A raw Kafka Metadata (v0) round trip: proves a broker is past start-up and serving requests
 * without a Kafka client (kafkajs may only be imported by libs/kafka). A listening port alone is
 * not enough: Kafka binds its sockets long before it processes requests.
 */
export interface ProbedBroker {
  nodeId: number;
  host: string;
  port: number;
}

const METADATA_API_KEY = 3;
const CORRELATION_ID = 0x7472_6b72;
const CLIENT_ID = 'local-infra-probe';

export function probeBrokerMetadata(
  host: string,
  port: number,
  timeoutMs = 3000,
): Promise<ProbedBroker[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let received = Buffer.alloc(0);
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`No metadata response within ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.once('connect', () => socket.write(encodeMetadataRequest()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.destroy();
      try {
        resolve(decodeBrokers(received.subarray(4)));
      } catch (error: unknown) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** Header v1 (api key, version, correlation id, client id) + body v0 (empty topic list = all). */
function encodeMetadataRequest(): Buffer {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let offset = body.writeInt16BE(METADATA_API_KEY, 0);
  offset = body.writeInt16BE(0, offset);
  offset = body.writeInt32BE(CORRELATION_ID, offset);
  offset = body.writeInt16BE(clientId.length, offset);
  offset += clientId.copy(body, offset);
  body.writeInt32BE(0, offset);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Response v0: correlation id, then [node id, host, port] per broker (topics are ignored). */
function decodeBrokers(frame: Buffer): ProbedBroker[] {
  if (frame.readInt32BE(0) !== CORRELATION_ID) throw new Error('Unexpected correlation id');
  const count = frame.readInt32BE(4);
  const brokers: ProbedBroker[] = [];
  let offset = 8;
  for (let i = 0; i < count; i++) {
    const nodeId = frame.readInt32BE(offset);
    const hostLength = frame.readInt16BE(offset + 4);
    const host = frame.toString('utf8', offset + 6, offset + 6 + hostLength);
    offset += 6 + hostLength;
    brokers.push({ nodeId, host, port: frame.readInt32BE(offset) });
    offset += 4;
  }
  return brokers;
}
