/**
 * Split Docker's multiplexed log/attach format (8-byte frame header: stream, 0, 0, 0, size BE32)
 * into stdout and stderr. Input that is not framed (a TTY container) is returned as stdout.
 */
export function demuxDockerStream(buffer: Buffer): { stdout: string; stderr: string; combined: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const all: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const framed =
      (kind === 0 || kind === 1 || kind === 2) &&
      buffer[offset + 1] === 0 &&
      buffer[offset + 2] === 0 &&
      buffer[offset + 3] === 0;
    if (!framed) break;
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + 8, offset + 8 + size);
    (kind === 2 ? err : out).push(payload);
    all.push(payload);
    offset += 8 + size;
  }
  if (offset === 0 && buffer.length > 0) {
    const text = buffer.toString("utf8");
    return { stdout: text, stderr: "", combined: text };
  }
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    combined: Buffer.concat(all).toString("utf8"),
  };
}

/** The last `count` non-empty lines of a text. */
export function lastLines(text: string, count: number): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return lines.slice(Math.max(0, lines.length - count));
}
