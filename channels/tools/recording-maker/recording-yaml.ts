// Frames as a recording in the YAML step format channels/media-stream/recording.ts replays:
// `send: {data: <frame>}` steps, with a `sleep` of one frame's time after each 20 ms of audio
// so a replay keeps real time. Media steps are written one per line in flow style (a third of
// the size of block style, same YAML); the other frames are written in block style so an ERB
// account tag stays a plain, substitutable string rather than a JSON-escaped one.
import { stringify } from "yaml";
import { FRAME_MS } from "../../media-stream/frames.js";
import type { TwilioFrame } from "./twilio-frames.js";

const SLEEP = `- sleep: {time: ${FRAME_MS / 1000}}`;

export function recordingYaml(frames: readonly TwilioFrame[], comment: readonly string[] = []): string {
  const lines = comment.map((line) => `# ${line}`.trimEnd());
  lines.push("---");
  frames.forEach((frame, index) => {
    if (frame.event !== "media") {
      lines.push(stringify([{ send: { data: frame } }], { lineWidth: 0 }).trimEnd());
    } else {
      lines.push(`- send: {data: ${JSON.stringify(frame)}}`);
    }
    const next = frames[index + 1];
    // One sleep per 20 ms of audio: after the last track's frame of a chunk, and after the handshake.
    const endOfChunk = frame.event !== "media" || next?.event !== "media" || next.media.chunk !== frame.media.chunk;
    if (endOfChunk && next !== undefined) lines.push(SLEEP);
  });
  return `${lines.join("\n")}\n`;
}
