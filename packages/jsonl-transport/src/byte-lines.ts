/** Lines as raw bytes (so invalid UTF-8 reaches the decoder and becomes a dead letter); "\r\n" tolerated. */
export async function* byteLines(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of input) {
    let data = Buffer.concat([rest, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    for (let newline = data.indexOf(0x0a); newline !== -1; newline = data.indexOf(0x0a)) {
      yield stripCarriageReturn(data.subarray(0, newline));
      data = data.subarray(newline + 1);
    }
    rest = data;
  }
  if (rest.length > 0) yield stripCarriageReturn(rest);
}

function stripCarriageReturn(line: Buffer): Buffer {
  return line.at(-1) === 0x0d ? line.subarray(0, -1) : line;
}
