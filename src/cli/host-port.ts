/** `HOST:PORT` for a listening address, IPv6 in brackets (`[::1]:8443`), as a URL writes it. */
export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
