import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A tiny DNS server on a loopback UDP port that answers A queries for one name with an address the
 * test can change, as Docker's embedded DNS does when a container is recreated; every other query
 * gets NXDOMAIN. Enough of RFC 1035 for nginx's resolver: one question, one answer, no compression
 * other than the answer's pointer to the question.
 */
export interface DnsServer {
  /** 127.0.0.1:port, for nginx's `resolver`. */
  address: string;
  /** The address the name resolves to from now on. */
  answer(ipv4: string): void;
  /** How many A queries for the name were answered. */
  queries(): number;
  stop(): Promise<void>;
}

export async function startDnsServer(name: string, ipv4: string): Promise<DnsServer> {
  let current = ipv4;
  let answered = 0;
  const socket: Socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (query.length < 12) return;
    let offset = 12;
    const labels: string[] = [];
    while (offset < query.length && query[offset] !== 0) {
      const length = query[offset] as number;
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
      offset += length + 1;
    }
    const questionEnd = offset + 5; // the terminating 0, QTYPE, QCLASS
    const type = query.readUInt16BE(offset + 1);
    const matches = labels.join('.').toLowerCase() === name.toLowerCase() && type === 1;
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (matches ? 0 : 3), 2); // response, recursion desired and available, NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(matches ? 1 : 0, 6);
    const question = query.subarray(12, questionEnd);
    const parts = [header, question];
    if (matches) {
      const record = Buffer.alloc(16);
      record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      record.writeUInt16BE(1, 2); // A
      record.writeUInt16BE(1, 4); // IN
      record.writeUInt32BE(600, 6); // a TTL longer than nginx's valid=, which must win
      record.writeUInt16BE(4, 10);
      current.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
      parts.push(record);
      answered++;
    }
    socket.send(Buffer.concat(parts), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    answer: (next) => {
      current = next;
    },
    queries: () => answered,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
