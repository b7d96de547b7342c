// G.711 µ-law expansion. Computed rather than tabulated so the bit layout stays visible:
// bytes are transmitted inverted; then 1 sign bit, 3 exponent bits, 4 mantissa bits, and the
// encoder's bias of 0x84 (132) is removed again after shifting.
const BIAS = 0x84;

/** One µ-law byte as a signed 16-bit linear sample (0xFF -> 0, 0x00 -> -32124, 0x80 -> 32124). */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  // `0 - x` rather than `-x`: the negative zero code (0x7F) must decode to a plain 0.
  return u & 0x80 ? 0 - magnitude : magnitude;
}

const TABLE = Int16Array.from({ length: 256 }, (_, byte) => mulawToLinear(byte));

/** Expands µ-law bytes into 16-bit linear samples at the same rate. */
export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = TABLE[bytes[i]!]!;
  return out;
}

/** Samples as raw little-endian 16-bit PCM, the layout sox and pocketsphinx read. */
export function toPcm16le(samples: Int16Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}
