// Holds loopback sockets for the collection benchmark, in a process of its own (the open-files limit is per
// process). `node socket-holder.mjs TCP4 TCP6 UDP4 UDP6`: TCP4/TCP6 are socket counts made of connections to
// a listener of its own on 127.0.0.1 / ::1 (each connection is two sockets, both ends held here); UDP4/UDP6
// are sockets bound on 127.0.0.1 / ::1, every other one connect()ed (ESTABLISHED), the rest unconnected (the
// state systeminformation drops). Prints "ready" once all are open. On stdin's end, or after 300 s whatever
// the parent does, it resets every TCP connection (RST: no TIME_WAIT left to skew the next measurement) and
// exits.
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';

const [tcp4, tcp6, udp4, udp6] = process.argv.slice(2).map(Number);
const tcpSockets = [];
const udpSockets = [];
const servers = [];

function exit() {
  for (const socket of tcpSockets) socket.resetAndDestroy();
  for (const socket of udpSockets) socket.close();
  for (const server of servers) server.close();
  // Let the resets go out before the process ends.
  setImmediate(() => process.exit(0));
}
setTimeout(exit, 300_000).unref();
process.stdin.on('end', exit).on('error', exit).resume();

async function holdTcp(host, sockets) {
  const connections = Math.floor(sockets / 2);
  if (connections === 0) return;
  const server = createServer((socket) => {
    tcpSockets.push(socket);
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise((resolve) => server.listen({ port: 0, host, backlog: 4096 }, resolve));
  const { port } = server.address();
  const connect = () =>
    new Promise((resolve, reject) => {
      const socket = createConnection({ port, host }, () => resolve(socket));
      socket.once('error', reject);
    });
  for (let open = 0; open < connections;) {
    const batch = Math.min(256, connections - open);
    tcpSockets.push(...(await Promise.all(Array.from({ length: batch }, connect))));
    open += batch;
  }
}

async function holdUdp(type, host, count) {
  let peerPort;
  for (let i = 0; i < count; i++) {
    const socket = createSocket(type);
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.bind(0, host, resolve));
    if (peerPort === undefined) peerPort = socket.address().port;
    else if (i % 2 === 1) await new Promise((resolve) => socket.connect(peerPort, host, resolve));
    udpSockets.push(socket);
  }
}

await holdTcp('127.0.0.1', tcp4);
await holdTcp('::1', tcp6);
await holdUdp('udp4', '127.0.0.1', udp4);
await holdUdp('udp6', '::1', udp6);
console.log('ready');
