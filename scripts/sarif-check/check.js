// Validates SARIF files against the SARIF 2.1.0 JSON schema (draft-04) shipped by the npm
// package @microsoft/jest-sarif, with ajv 6. Usage: node check.js FILE...
// Exit 0 when every file is valid, 1 with the schema errors otherwise.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");

const schemaFile = path.join(
  path.dirname(require.resolve("@microsoft/jest-sarif/package.json")),
  "lib/schemas/sarif-2.1.0-rtm.5.json",
);
const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const ajv = new Ajv({ schemaId: "auto", allErrors: true, validateSchema: false });
ajv.addMetaSchema(require("ajv/lib/refs/json-schema-draft-04.json"));
const validate = ajv.compile(schema);

let failed = false;
for (const file of process.argv.slice(2)) {
  const log = JSON.parse(fs.readFileSync(file, "utf8"));
  if (validate(log)) {
    console.log(`${file}: valid SARIF 2.1.0 (${schema.title})`);
  } else {
    failed = true;
    console.log(`${file}: invalid SARIF`);
    for (const e of validate.errors) console.log(`  ${e.dataPath} ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
