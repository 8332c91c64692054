// A scriptlet may not reach the machine by itself: only the scriptlet API and pure helpers under
// scriptlets/ may be imported, and the globals that open doors (process, require, eval, ...) may
// not be named. Read from the TypeScript source with the compiler's own parser.
import { dirname, resolve, sep } from 'node:path';
import type * as TS from 'typescript';

const FORBIDDEN_GLOBALS = new Set(['process', 'require', 'globalThis', 'global', 'eval', 'Function', 'module', 'Buffer', 'fetch', 'WebAssembly', 'Worker']);

export function importProblems(ts: typeof TS, file: string, source: string, scriptletsRoot: string, apiFile: string): string[] {
  const problems: string[] = [];
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const checkSpecifier = (spec: string, typeOnly: boolean) => {
    if (!spec.startsWith('.')) {
      problems.push(`${file}: imports ${spec}; scriptlets may import only the scriptlet API and scriptlets/lib`);
      return;
    }
    const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
    const inScriptlets = target.startsWith(resolve(scriptletsRoot) + sep);
    const isApi = target === resolve(apiFile);
    const isTypes = /runner\/contracts\/generated\.ts$/.test(target) && typeOnly;
    if (!inScriptlets && !isApi && !isTypes) problems.push(`${file}: imports ${spec}, outside the scriptlet API and scriptlets/`);
  };
  const visit = (node: TS.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      checkSpecifier(node.moduleSpecifier.text, Boolean(node.importClause?.isTypeOnly));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      checkSpecifier(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node)) {
      problems.push(`${file}: uses import = require()`);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      problems.push(`${file}: uses dynamic import()`);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      checkSpecifier(node.argument.literal.text, true);
    } else if (ts.isIdentifier(node) && FORBIDDEN_GLOBALS.has(node.text)) {
      const p = node.parent;
      // A property name (x.process) or a declared member is not the global.
      const isProperty = p && ((ts.isPropertyAccessExpression(p) && p.name === node) || (ts.isPropertyAssignment(p) && p.name === node) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p));
      if (!isProperty) problems.push(`${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: names the global ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}
