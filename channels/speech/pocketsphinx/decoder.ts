// How this project runs Debian's pocketsphinx (0.8+5prealpha, the `pocketsphinx_continuous`
// CLI and the `pocketsphinx-en-us` model).
//
// The en-us model is a 16 kHz model and refuses an 8 kHz front end (its feat.params fixes the
// filter bank's upper edge at 6.8 kHz), so phone audio is resampled to 16 kHz by sox: the
// upper band stays empty, which the model tolerates well enough.

export const POCKETSPHINX_INSTALL_HINT = "install the Debian packages pocketsphinx and pocketsphinx-en-us";
export const SOX_INSTALL_HINT = "install the Debian package sox";

/**
 * Spectral noise subtraction off: phone audio arrives band-limited and already cleaned up by
 * the carrier, and on both recordings and synthetic speech here subtraction cost words
 * ("the capital" in london.yml came out only without it).
 */
export const DECODER_DEFAULTS = ["-remove_noise", "no"] as const;

/** sox arguments that read raw 8 kHz 16-bit PCM from `input` and write 16 kHz to `output` ("-" = stdio). */
export function resampleArgs(input: string, output: string): string[] {
  const raw = ["-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-L"];
  // -D: no dither, so the same call always gives the same transcript.
  return ["-V1", "-D", ...raw, "-r", "8000", input, ...raw, "-r", "16000", output];
}
