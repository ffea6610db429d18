// Imports an OpenAPI document with openapi-to-postmanv2 (the converter behind Postman's own
// OpenAPI import) and prints what an importer would see, as JSON on stdout:
// {"requests": [{"method", "path", "responses": [{"code", "body"}]}], "errors": [...]}
// where errors are the converter's "<Error: ...>" placeholders, wherever they appear.
// Usage: node postman_import.js DOCUMENT.json
'use strict';
const fs = require('fs');
const Converter = require('openapi-to-postmanv2');

const data = fs.readFileSync(process.argv[2], 'utf8');
Converter.convert({ type: 'string', data }, {}, (failure, result) => {
  if (failure || !result.result) {
    process.stderr.write(`conversion failed: ${failure || result.reason}\n`);
    process.exit(1);
  }
  const collection = result.output[0].data;
  const requests = [];
  const walk = (items) => {
    for (const item of items) {
      if (item.item) {
        walk(item.item);
        continue;
      }
      requests.push({
        method: item.request.method,
        path: '/' + item.request.url.path.join('/'),
        responses: (item.response || []).map((r) => ({ code: r.code, body: r.body || '' })),
      });
    }
  };
  walk(collection.item);
  const errors = JSON.stringify(collection).match(/<Error[^"\\]*/g) || [];
  process.stdout.write(JSON.stringify({ requests, errors }) + '\n');
});
