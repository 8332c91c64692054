/** libvirt's <mode> is octal text ("0755"); anything else falls back to the default. */
export function parseMode(mode: string | undefined, fallback: number): number {
  if (mode === undefined || !/^0?[0-7]{3,4}$/.test(mode)) return fallback;
  return Number.parseInt(mode, 8);
}
