export { byteLines } from './byte-lines.js';
export { runJsonlTransport, type JsonlTransportOptions, type RecordHandler } from './jsonl-transport.js';
