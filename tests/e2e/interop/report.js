'use strict';
/*
 * What a Node.js interop script saw, as one JSON document on stdout for the Python test.
 *
 * Each step runs even when an earlier one failed, and records either its observations or the
 * error it met, so the test points at the step that went wrong instead of a crashed process.
 */

class Report {
  constructor() {
    this.steps = {};
    this.calls = [];
  }

  async step(name, run) {
    try {
      this.steps[name] = await run();
    } catch (error) {
      this.steps[name] = { unexpected: describeError(error) };
    }
    return this.steps[name];
  }

  print() {
    process.stdout.write(JSON.stringify(this));
  }
}

/**
 * An SDK error as the user's code sees it: the fields both SDKs set, the modeled members AWS
 * sent (Item, CancellationReasons), and for v2, which copies every member of the error body
 * onto the error under `[name]` keys, the names of those members.
 */
function describeError(error) {
  const described = {};
  for (const field of ['name', 'code', 'message', 'statusCode', 'retryable', '$fault']) {
    if (error[field] !== undefined) described[field] = error[field];
  }
  if (error.$metadata) {
    described.httpStatusCode = error.$metadata.httpStatusCode;
    described.attempts = error.$metadata.attempts;
  }
  for (const member of ['__type', 'Item', 'CancellationReasons']) {
    if (error[member] !== undefined) described[member] = error[member];
  }
  const bodyKeys = Object.keys(error).filter((key) => /^\[.+\]$/.test(key));
  if (bodyKeys.length) described.bodyKeys = bodyKeys.map((key) => key.slice(1, -1)).sort();
  if (!error.$metadata && error.statusCode === undefined) described.stack = String(error.stack);
  return described;
}

/** The error `run` rejects with, described; a resolved call is a finding too. */
async function failureOf(run) {
  try {
    return { resolved: plain(await run()) };
  } catch (error) {
    return describeError(error);
  }
}

/** A value from either SDK in plain JSON: sets, bytes and wrapped numbers keep their kind. */
function plain(value) {
  if (value === null || value === undefined) return value === null ? null : { undefined: true };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return { bytes: Buffer.from(value).toString('base64') };
  }
  if (value instanceof Set) return { set: sorted([...value].map(plain)) };
  if (value.wrapperName === 'Set') return { set: sorted(value.values.map(plain)), type: value.type };
  if (value.constructor && value.constructor.name === 'NumberValue') {
    return { number: value.toString() };
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  }
  return value;
}

function sorted(values) {
  return values.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

module.exports = { Report, describeError, failureOf, plain };
