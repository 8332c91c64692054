// virsh-style arguments: positionals in order, `--flag`, `--opt value` or `--opt=value`.
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], valued: ReadonlySet<string>): ParsedArgs | string {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (valued.has(name)) {
        const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
        if (v === undefined) return `option --${name} needs a value`;
        options.set(name, v);
      } else {
        if (eq !== -1) return `option --${name} takes no value`;
        options.set(name, true);
      }
    } else {
      positionals.push(a);
    }
  }
  return { positionals, options };
}
