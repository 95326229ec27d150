import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { servicePorts } from './processes';

const ephemeralStart = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

describe('servicePorts', () => {
  it('gives distinct free ports below the ephemeral range, never an excluded one', async () => {
    // Given twenty ports asked for at once, one of them excluded by the caller,
    const [excluded] = await servicePorts(1);
    const ports = await servicePorts(20, [excluded]);

    // then each is distinct, outside the kernel's range for outgoing connections, and free.
    expect(new Set(ports).size).toBe(20);
    expect(ports).not.toContain(excluded);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
    }
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
