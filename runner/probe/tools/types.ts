// One probe per tool: which binary answers for it, how to ask its version, how to read the reply.
export interface ToolProbe {
  /** Tool name used by scriptlets (`tool:`) and backend tables. */
  tool: string;
  /** The binary run for the probe, found on the runner's fixed PATH; null for the built-in API. */
  binary: string | null;
  /** Debian package that provides it, named in TOOL_MISSING. */
  package: string;
  args: readonly string[];
  /**
   * The tool's own binary when `binary` only reports its version (libiscsi's tools print none:
   * dpkg-query answers). It must be installed, and its size and mtime key the probe cache.
   */
  versionOf?: string;
  /** Pure: the raw version string from the probe's output, or null when unreadable. */
  parse(stdout: string, stderr: string): string | null;
}
