/**
 * A DNS answer-time prober: sends UDP queries at a fixed rate (open loop: on schedule whether or not
 * answers came back, so a server that stalls shows its stall in every query that waited, not only in
 * one) and records each query's answer time. dnsperf reports averages; this keeps every query.
 *
 *   node latency.js <host:port> <queries/s> <seconds> <name pattern, '%d' for a number> <names> <out.bin>
 *
 * `gw-%d.example.com` with 500 names asks gw-0 .. gw-499 in turn (A). Writes Float64 pairs to
 * <out.bin>: when the query was sent (ms since epoch) and its answer time in ms (-1: no answer within
 * 2 s, or an answer that was not NOERROR). Prints one JSON line when done: the start, counts and the
 * answer-time percentiles of the whole run.
 */
import * as dgram from 'dgram';
import { writeFileSync } from 'fs';
import { performance } from 'perf_hooks';

const [target, rateArg, secondsArg, pattern, namesArg, out] = process.argv.slice(2);
if (!target || !rateArg || !secondsArg || !pattern || !namesArg || !out) {
  process.stderr.write('usage: node latency.js <host:port> <queries/s> <seconds> <name pattern> <names> <out.bin>\n');
  process.exit(2);
}
const host = target.slice(0, target.lastIndexOf(':'));
const port = Number(target.slice(target.lastIndexOf(':') + 1));
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const nameCount = Number(namesArg);
const LOST_AFTER_MS = 2000;

/** A query for `name` A, id 0 (patched per send). */
function encodeQuery(name: string): Buffer {
  const labels = name.split('.').filter((l) => l.length > 0);
  const q = Buffer.alloc(12 + labels.reduce((n, l) => n + l.length + 1, 0) + 1 + 4);
  q.writeUInt16BE(1, 4); // QDCOUNT
  let o = 12;
  for (const l of labels) {
    q[o++] = l.length;
    o += q.write(l, o, 'latin1');
  }
  q[o++] = 0;
  q.writeUInt16BE(1, o); // A
  q.writeUInt16BE(1, o + 2); // IN
  return q;
}

const queries = Array.from({ length: nameCount }, (_, i) => encodeQuery(pattern.replace('%d', String(i))));
const total = Math.round(rate * seconds);
/** Per query: its send time (performance.now()) and answer time. */
const sentAt = new Float64Array(total);
const answerMs = new Float64Array(total).fill(-1);
/** The query in flight per DNS id (ids wrap every 65,536 queries). */
const byId = new Int32Array(65536).fill(-1);

const socket = dgram.createSocket('udp4');
socket.on('message', (m) => {
  const now = performance.now();
  if (m.length < 12) return;
  const i = byId[m.readUInt16BE(0)];
  if (i < 0 || answerMs[i] >= 0) return;
  if ((m[3] & 0x0f) !== 0) return; // not NOERROR: counted as no answer
  answerMs[i] = now - sentAt[i];
});

socket.bind(0, '127.0.0.1', () => {
  try {
    socket.setRecvBufferSize(4 << 20);
  } catch {
    // the kernel's limit stands
  }
  const startEpoch = Date.now();
  const start = performance.now();
  let sent = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    for (; sent < due; sent++) {
      const q = queries[sent % queries.length];
      const id = sent & 0xffff;
      q.writeUInt16BE(id, 0);
      byId[id] = sent;
      sentAt[sent] = performance.now();
      socket.send(q, port, host);
    }
    // Every millisecond (Node's timer granularity), sending what is due: a few queries at a time.
    if (sent < total) setTimeout(tick, 1);
    else setTimeout(finish, LOST_AFTER_MS);
  };
  const finish = () => {
    socket.close();
    const pairs = new Float64Array(2 * total);
    const answered: number[] = [];
    for (let i = 0; i < total; i++) {
      pairs[2 * i] = startEpoch + (sentAt[i] - start);
      const ms = answerMs[i] >= 0 && answerMs[i] <= LOST_AFTER_MS ? answerMs[i] : -1;
      pairs[2 * i + 1] = ms;
      if (ms >= 0) answered.push(ms);
    }
    writeFileSync(out, Buffer.from(pairs.buffer));
    answered.sort((a, b) => a - b);
    const p = (q: number) => answered[Math.min(answered.length - 1, Math.floor(q * answered.length))] ?? -1;
    process.stdout.write(JSON.stringify({
      startEpoch, queries: total, answered: answered.length, lost: total - answered.length,
      p50: p(0.5), p99: p(0.99), p999: p(0.999), max: answered[answered.length - 1] ?? -1,
    }) + '\n');
  };
  tick();
});
