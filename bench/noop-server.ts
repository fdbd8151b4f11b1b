/**
 * The ceiling for collector ingest: a bare node:http server that reads the body, parses the
 * JSON and answers 202, with none of runwatch's work (validation, Avro, bus). Prints its URL.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const events = JSON.parse(Buffer.concat(chunks).toString()) as unknown[];
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: events.length }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`{"url":"http://127.0.0.1:${address.port}"}\n`);
});
