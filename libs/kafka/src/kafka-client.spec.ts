import { AddressInfo, createServer, Socket } from 'node:net';
import { ISocketFactoryArgs, logLevel } from 'kafkajs';
import { kafkajsLogLevel, noDelaySocketFactory } from './kafka-client';

describe('kafkajsLogLevel', () => {
  it('keeps an unexpected error an error', () => {
    expect(kafkajsLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', 'x')).toBe(
      'error',
    );
  });

  it('given kafkajs restarting a consumer after a retriable error, then that line is a warning', () => {
    // Its crash line, with the cause, came first and keeps its own level.
    expect(kafkajsLogLevel(logLevel.ERROR, 'Restarting the consumer in 100ms', undefined)).toBe(
      'warn',
    );
  });

  it('writes the topic-creation race of processes starting together as a debug line', () => {
    // Given another process created the topics a moment earlier on a fresh broker,
    const level = kafkajsLogLevel(
      logLevel.ERROR,
      'Response CreateTopics(key: 19, version: 3)',
      'Topic creation errors',
    );
    // then kafkajs' error-level response log is not an error of a normal start.
    expect(level).toBe('debug');
  });

  it('writes answers kafkajs retries by itself, and the chosen warnings, as debug lines', () => {
    expect(
      kafkajsLogLevel(
        logLevel.ERROR,
        'Response InitProducerId(key: 22, version: 1)',
        "The coordinator is loading and hence can't process requests for this group",
      ),
    ).toBe('debug');
    expect(
      kafkajsLogLevel(logLevel.WARN, 'Limiting retries for the idempotent producer to 2', null),
    ).toBe('debug');
    expect(kafkajsLogLevel(logLevel.WARN, 'Consumer heartbeat failed', null)).toBe('warn');
  });
});

describe('noDelaySocketFactory', () => {
  it('given a broker address, when connecting, then the socket sends without Nagle delays and keeps alive', async () => {
    const server = createServer((peer) => peer.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const noDelay = jest.spyOn(Socket.prototype, 'setNoDelay');
    const keepAlive = jest.spyOn(Socket.prototype, 'setKeepAlive');
    try {
      let onConnect = () => undefined as void;
      const connected = new Promise<void>((resolve) => (onConnect = resolve));
      // kafkajs passes no `ssl` for a plaintext broker, whatever its types say.
      const socket = noDelaySocketFactory({
        host: '127.0.0.1',
        port,
        onConnect: () => onConnect(),
      } as ISocketFactoryArgs);
      await connected;
      expect(noDelay.mock.contexts).toContain(socket);
      expect(noDelay).toHaveBeenCalledWith(true);
      expect(keepAlive).toHaveBeenCalledWith(true, 60_000);
      socket.destroy();
    } finally {
      noDelay.mockRestore();
      keepAlive.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
