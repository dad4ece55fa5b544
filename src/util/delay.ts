/** Resolves after `ms`; an unref'd timer, so waiting never keeps the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    Deno.unrefTimer(t as unknown as number);
  });
}
