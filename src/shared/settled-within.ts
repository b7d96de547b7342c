/**
 * Whether `work` settles within `ms`. It is not cancelled when it does not: this only bounds how
 * long a caller waits for it (a shutdown step, say). A rejection of `work` within the time is the
 * caller's, as if it had awaited `work` itself; the timer is cleared either way.
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
