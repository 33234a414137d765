import { describe, expect, it } from "vitest";
import { demuxDockerStream, lastLines } from "./logs.ts";

function frame(kind: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("demuxDockerStream", () => {
  it("separates stdout and stderr frames and keeps their order in the combined text", () => {
    const out = demuxDockerStream(Buffer.concat([frame(1, "a\n"), frame(2, "b\n"), frame(1, "c\n")]));
    expect(out).toEqual({ stdout: "a\nc\n", stderr: "b\n", combined: "a\nb\nc\n" });
  });
  it("returns unframed (TTY) output as stdout", () => {
    expect(demuxDockerStream(Buffer.from("plain text\n")).stdout).toBe("plain text\n");
  });
  it("keeps the last lines only", () => {
    expect(lastLines("1\n2\n\n3\n4\n", 2)).toEqual(["3", "4"]);
  });
});
