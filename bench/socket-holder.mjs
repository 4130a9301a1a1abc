// Holds many loopback TCP sockets for the collection benchmark, in a process of its own (fd limits are per
// process). `server N`: listens on 127.0.0.1:0, prints its port, accepts up to N connections.
// `client N PORT`: opens N connections to PORT, 256 at a time, then prints "ready". Exits when stdin closes,
// or after 120 s at the latest (bounded, whatever the parent does).
import { createConnection, createServer } from 'node:net';

const [role, countText, portText] = process.argv.slice(2);
const count = Number(countText);
const held = [];
setTimeout(() => process.exit(0), 120_000).unref();
process.stdin.on('end', () => process.exit(0)).resume();

if (role === 'server') {
  const server = createServer((socket) => { held.push(socket); socket.on('error', () => undefined); });
  server.maxConnections = count;
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => console.log(server.address().port));
} else {
  let open = 0;
  const next = () => new Promise((resolve, reject) => {
    const socket = createConnection({ port: Number(portText), host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
  while (open < count) {
    const batch = Math.min(256, count - open);
    held.push(...(await Promise.all(Array.from({ length: batch }, next))));
    open += batch;
  }
  console.log('ready');
}
