// Moved to runner/exec/executor.ts (what answers commands is the exec layer's); kept for imports.
export { realExecutor, type ToolExecutor } from '../exec/executor.js';
