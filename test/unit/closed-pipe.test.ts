/** exitOnClosedPipe: EPIPE ends the command with 141; any other write error stays an error. */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { CLOSED_PIPE_EXIT_CODE, exitOnClosedPipe } from "../../operator/lib/closed-pipe";

const writeError = (code: string) => Object.assign(new Error(`write ${code}`), { code });

describe("exitOnClosedPipe", () => {
  it("exits with 141 on EPIPE from either stream", () => {
    const streams = [new EventEmitter(), new EventEmitter()];
    const codes: number[] = [];
    exitOnClosedPipe(streams, (code) => codes.push(code));
    streams[1]?.emit("error", writeError("EPIPE"));
    expect(codes).toEqual([CLOSED_PIPE_EXIT_CODE]);
    expect(CLOSED_PIPE_EXIT_CODE).toBe(128 + 13); // SIGPIPE is 13
  });

  it("leaves any other write error an error (EIO, ENOSPC)", () => {
    const stream = new EventEmitter();
    const codes: number[] = [];
    exitOnClosedPipe([stream], (code) => codes.push(code));
    expect(() => stream.emit("error", writeError("ENOSPC"))).toThrow("write ENOSPC");
    expect(codes).toEqual([]);
  });
});
