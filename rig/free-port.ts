import { createServer, type AddressInfo } from 'node:net';

/**
 * A free TCP port on the loopback interface, for a broker or a bridge of a test's or a benchmark's own. rig/ holds
 * what both run (bench/ never imports test/: the layers test), and nothing of the add-on's.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
