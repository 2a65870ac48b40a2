/**
 * Module resolution hook registered by bootstrap.js for ES module handlers.
 *
 * ES modules do not look in NODE_PATH, yet on AWS an `.mjs` handler can import the SDK the
 * runtime bundles and the packages of its layers. A bare specifier that Node's own resolution
 * cannot find is resolved again from each NODE_PATH folder, with the ES module conditions.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';

let parents = [];

export async function initialize(data) {
  parents = data.folders.map((folder) => pathToFileURL(path.join(folder, 'noop.mjs')).href);
}

function isBare(specifier) {
  return !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier);
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) {
      throw error;
    }
    for (const parentURL of parents) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch (_) {
        // not in this folder: try the next one
      }
    }
    throw error;
  }
}
