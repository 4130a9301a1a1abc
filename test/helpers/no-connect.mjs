// Preloaded into a CLI child (`node --import THIS main.js ...`) by the tests of the plain ws:// refusal: every
// outgoing TCP connection to anything but loopback is blocked before it starts (nothing leaves this machine, even
// if the code under test tried), and reported on stderr as `no-connect: blocked HOST:PORT`, so a test can assert
// that no socket was opened.
import net from 'node:net';

const original = net.Socket.prototype.connect;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.|localhost$)/;

net.Socket.prototype.connect = function connect(...args) {
  let target = args[0];
  if (Array.isArray(target)) target = target[0]; // net.connect() hands over its normalized arguments
  const options = typeof target === 'object' && target !== null ? target : { port: target, host: args[1] };
  const host = String(options.host ?? 'localhost');
  if (options.path !== undefined || LOOPBACK.test(host)) return original.apply(this, args);
  process.stderr.write(`no-connect: blocked ${host}:${options.port}\n`);
  process.nextTick(() => this.destroy(new Error(`no-connect: blocked ${host}`)));
  return this;
};
