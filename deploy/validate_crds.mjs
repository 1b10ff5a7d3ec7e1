// Validates prometheus-operator objects (monitoring.coreos.com/v1) against the CRD schemas compiled
// into @kubernetes-models/prometheus-operator (deploy/check.sh installs it with npm; deploy/check.py
// runs this script with the node_modules folder as its argument). Reads a JSON array of objects on
// stdin; prints one JSON result per object:
// {"name", "kind", "error"} with error null when the object validates. Types, patterns, enums and
// required fields are checked; unknown fields are not (the package's schemas allow them).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const models = join(process.argv[2], "@kubernetes-models", "prometheus-operator");

const docs = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const doc of docs) {
  const [group, version] = doc.apiVersion.split("/");
  let error = null;
  if (group !== "monitoring.coreos.com") {
    error = `not a prometheus-operator object: ${doc.apiVersion}`;
  } else {
    try {
      const module = await import(pathToFileURL(join(models, group, version, `${doc.kind}.js`)).href);
      new module[doc.kind](doc).validate();
    } catch (e) {
      error = e.message;
    }
  }
  results.push({ name: doc.metadata?.name, kind: doc.kind, error });
}
console.log(JSON.stringify(results));
