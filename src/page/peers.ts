// Apart from the server, so that the add-on's entry can name the ingress peers without loading the page (node:http)
// before the first state: the page is loaded after the sources are dialled (service/open-page.ts).

/**
 * Who may connect. The add-on's page is reached only through Home Assistant's ingress, which the Supervisor proxies
 * from its own address on the add-on network, 172.30.32.2 (supervisor/docker/network.py: `supervisor` is the second
 * host of DOCKER_IPV4_NETWORK_MASK, supervisor/const.py 172.30.32.0/23); loopback is for the container itself.
 */
export const INGRESS_PEERS: readonly string[] = ['172.30.32.2', '127.0.0.1', '::1'];

/** Whether a peer may connect: `any`, or one of the listed addresses (IPv4 also in its IPv6-mapped form). */
export function allowedPeer(address: string | undefined, allow: 'any' | readonly string[]): boolean {
  if (allow === 'any') return true;
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return allow.includes(plain);
}
