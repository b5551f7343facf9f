// The only module that talks to mingo. It fixes the options every evaluation
// uses (no server-side JavaScript: $where/$function/$accumulator are refused)
// and turns mingo's exceptions into the errors MongoDB would send, so an
// operator mingo lacks is always an error and never a silently different
// answer.
import { Aggregator, ProcessingMode, Query } from 'mingo';
import 'mingo/init/system';
import { CommandError, badValue, notSupported } from './errors.mjs';
import { isPlainObject } from './rawbson.mjs';

const OPTIONS = Object.freeze({ scriptEnabled: false });

// mingo's messages for operators it does not know, and MongoDB's answers.
const TRANSLATIONS = [
  [/unregistered pipeline operator (\$\w+)/, (op) =>
    new CommandError(40324, 'Location40324', `Unrecognized pipeline stage name: '${op}'`)],
  [/accumulator '(\$\w+)' is not registered/, (op) =>
    new CommandError(168, 'InvalidPipelineOperator', `Unrecognized expression '${op}'`)],
  [/unknown top level operator: (\$\w+)/, (op) => badValue(`unknown top level operator: ${op}`)],
  [/unknown query operator (\$\w+)/, (op) => badValue(`unknown operator: ${op}`)],
];

const translation = (err) => {
  for (const [pattern, make] of TRANSLATIONS) {
    const m = pattern.exec(err.message);
    if (m) return make(m[1]);
  }
  return null;
};

const translate = (err) => (err instanceof CommandError ? err : translation(err) ?? badValue(err.message));

function guard(fn) {
  try {
    return fn();
  } catch (err) {
    throw translate(err);
  }
}

// mingo checks some operator names only when it evaluates them, so a filter
// or pipeline is also tried on one empty document: an unknown operator is
// then reported even when a collection is empty. Other failures on that
// dummy document are not the caller's fault and are ignored.
function tryOnEmpty(fn) {
  try {
    fn();
  } catch (err) {
    const unknown = translation(err);
    if (unknown) throw unknown;
  }
}

// Views hold every number as a JS number and mingo lacks some BSON type
// aliases, so $type could only answer these correctly; anything else (int vs
// long vs double, objectId, binData...) is refused rather than mis-answered.
const TRUSTED_TYPE_ALIASES = new Set(['number', 'string', 'object', 'array', 'bool', 'date', 'null', 'regex', 2, 3, 4, 8, 9, 10, 11]);

function refuseUntrustedTypeChecks(value) {
  if (Array.isArray(value)) {
    value.forEach(refuseUntrustedTypeChecks);
  } else if (isPlainObject(value)) {
    for (const [key, arg] of Object.entries(value)) {
      if (key === '$type') {
        const aliases = Array.isArray(arg) ? arg : [arg];
        const bad = aliases.find((a) => !TRUSTED_TYPE_ALIASES.has(a));
        if (bad !== undefined) throw notSupported(`$type ${JSON.stringify(bad)}`);
      }
      refuseUntrustedTypeChecks(arg);
    }
  }
}

// Compiles a filter once and returns a predicate over views.
export function matcher(filter = {}) {
  refuseUntrustedTypeChecks(filter);
  const query = guard(() => new Query(filter, OPTIONS));
  const test = (view) => guard(() => query.test(view));
  tryOnEmpty(() => query.test({}));
  return test;
}

// Stages that reorder or drop documents but never change them; a pipeline of
// only these can hand back the stored bytes instead of re-encoded values.
const PASS_THROUGH = new Set(['$match', '$sort', '$skip', '$limit']);

// Stages that never modify their input objects. Others (e.g. $addFields,
// $set on a nested path, $unwind) may, and stored views must never change,
// so a pipeline with any of those works on clones.
const READ_ONLY = new Set([...PASS_THROUGH, '$group', '$count', '$sortByCount', '$bucket', '$bucketAuto', '$sample']);

// Stages mingo would need other collections for, or that write: refused.
const REFUSED_STAGES = new Set(['$out', '$merge', '$lookup', '$graphLookup', '$unionWith']);

export function checkPipeline(pipeline) {
  if (!Array.isArray(pipeline)) throw new CommandError(14, 'TypeMismatch', "'pipeline' option must be specified as an array");
  for (const stage of pipeline) {
    const names = stage !== null && typeof stage === 'object' ? Object.keys(stage) : [];
    if (names.length !== 1) {
      throw new CommandError(40323, 'Location40323', 'A pipeline stage specification object must contain exactly one field.');
    }
    if (REFUSED_STAGES.has(names[0])) throw notSupported(`aggregation stage ${names[0]}`);
  }
  refuseUntrustedTypeChecks(pipeline);
  tryOnEmpty(() => new Aggregator(pipeline, OPTIONS).run([{}]));
}

// Runs a checked pipeline over views. `unchanged` says whether the results
// are the input objects themselves (so their stored bytes can be returned).
export function runPipeline(views, pipeline) {
  const stages = pipeline.map((stage) => Object.keys(stage)[0]);
  const unchanged = stages.every((name) => PASS_THROUGH.has(name));
  const readOnly = stages.every((name) => READ_ONLY.has(name));
  const processingMode = readOnly ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT;
  const docs = guard(() => new Aggregator(pipeline, { ...OPTIONS, processingMode }).run(views));
  return { docs, unchanged };
}

// Applies a find projection to documents of either shape (views or typed).
export function project(docs, projection) {
  return guard(() => new Query({}, OPTIONS).find(docs, projection).all());
}

export function checkProjection(projection) {
  refuseUntrustedTypeChecks(projection);
  tryOnEmpty(() => project([{}], projection));
}
