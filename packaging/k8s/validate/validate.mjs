// Validates rendered Kubernetes YAML (kubectl kustomize output) against the Kubernetes API:
//  1. the JSON schemas of kubernetes-models (types, required fields, enums, formats, int-or-string);
//  2. the TypeScript interfaces of the same package, whose excess-property check rejects unknown
//     fields (a misspelt `readinesProbe` is silently dropped by the API server otherwise).
// Usage: node validate.mjs [--extract-configmap NAME-PREFIX KEY DIR] FILE...
//   --extract-configmap writes data[KEY] of each ConfigMap named NAME-PREFIX* to DIR/<file>.<key>
//   so that CI can run `nexus-router check` on the exact config the cluster gets.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let extract = null;
if (args[0] === "--extract-configmap") {
  extract = { prefix: args[1], key: args[2], dir: args[3] };
  args.splice(0, 4);
}
if (args.length === 0) {
  console.error("usage: node validate.mjs [--extract-configmap PREFIX KEY DIR] FILE...");
  process.exit(2);
}

const problems = [];
const typed = [];
for (const file of args) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [index, parsed] of docs.entries()) {
    if (parsed.errors.length > 0) {
      problems.push(`${file} doc ${index}: YAML: ${parsed.errors.map((e) => e.message).join("; ")}`);
      continue;
    }
    const doc = parsed.toJS();
    if (doc === null) continue;
    // kustomize folds Secret data over lines; the API server's base64 decoder skips newlines.
    if (doc.kind === "Secret" && doc.data) {
      for (const k of Object.keys(doc.data)) doc.data[k] = String(doc.data[k]).replace(/\s+/g, "");
    }
    const where = `${basename(file)}: ${doc.kind} ${doc.metadata?.name}`;
    const { apiVersion, kind } = doc;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      problems.push(`${where}: apiVersion and kind are required`);
      continue;
    }
    // core/v1 lives at kubernetes-models/v1, group/version at kubernetes-models/group/version.
    const modulePath = `kubernetes-models/${apiVersion}/${kind}`;
    let model;
    try {
      model = (await import(modulePath))[kind];
    } catch {
      problems.push(`${where}: unknown apiVersion/kind ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new model(doc).validate();
    } catch (e) {
      const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}`);
      problems.push(`${where}: ${details.length ? details.join("; ") : e.message}`);
    }
    typed.push({ where, modulePath, kind, doc });
    if (extract && kind === "ConfigMap" && doc.metadata?.name?.startsWith(extract.prefix)) {
      mkdirSync(extract.dir, { recursive: true });
      writeFileSync(join(extract.dir, `${basename(file)}.${extract.key}`), doc.data?.[extract.key] ?? "");
    }
  }
}

// Unknown fields: one typed constant per document, compiled with the package's declarations.
const work = join(here, "target");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const lines = [];
const owner = [];
typed.forEach((t, i) => {
  lines.push(`import type { I${t.kind} as T${i} } from "${t.modulePath}";`);
  owner.push(null);
});
typed.forEach((t, i) => {
  const body = `export const d${i}: T${i} = ${JSON.stringify(t.doc, null, 2)};`.split("\n");
  for (const l of body) {
    lines.push(l);
    owner.push(t.where);
  }
});
const source = join(work, "manifests.ts");
writeFileSync(source, lines.join("\n") + "\n");
const program = ts.createProgram([source], {
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: [],
});
for (const d of ts.getPreEmitDiagnostics(program)) {
  const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
  if (d.file && d.file.fileName === source && d.start !== undefined) {
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    problems.push(`${owner[line] ?? "manifests.ts"}: line ${line + 1}: ${text.slice(0, 400)}`);
  } else {
    problems.push(`typescript: ${text.slice(0, 400)}`);
  }
}
rmSync(work, { recursive: true, force: true });

if (problems.length > 0) {
  for (const p of problems) console.error(`INVALID ${p}`);
  process.exit(1);
}
console.log(`${typed.length} resources valid against the Kubernetes API schemas (no unknown fields)`);
