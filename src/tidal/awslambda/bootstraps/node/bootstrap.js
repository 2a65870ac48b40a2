/**
 * Tidal's runtime interface client for the nodejs* Lambda runtimes.
 *
 * One long-lived process of one execution environment: it loads the handler named by
 * `_HANDLER` from LAMBDA_TASK_ROOT, then loops on the Runtime API (reference/lambda.md §5).
 * What a handler observes is what AWS's Node.js runtime interface client gives it: the
 * handler styles (async, callback, context.succeed/fail/done), callbackWaitsForEmptyEventLoop,
 * the context fields, the patched console and its log lines, the error bodies and types.
 *
 * Runtime generations differ where AWS's did:
 * - nodejs (0.10), nodejs4.3 and nodejs4.3-edge load the handler's module on the first
 *   invocation, so code at its top level logs under that invocation's request id;
 * - up to nodejs8.10 console lines have no level column (`<time>\t<request id>\t<message>`);
 * - from nodejs18.x an async handler whose promise never settles fails with Runtime.NodeJsExit;
 * - from nodejs24.x callback handlers are refused (Runtime.CallbackHandlerDeprecated).
 *
 * Only Node's standard library is used. The loader lives in this file so that the
 * "Require stack" of an ImportModuleError names one runtime file, as on AWS.
 */

'use strict';

const fs = require('fs');
const http = require('http');
const Module = require('module');
const path = require('path');
const url = require('url');
const util = require('util');

const RUNTIME = (process.env.AWS_EXECUTION_ENV || '').replace(/^AWS_Lambda_/, '');
const MAJOR = RUNTIME === 'nodejs' ? 0 : Number((/^nodejs(\d+)/.exec(RUNTIME) || [0, 20])[1]);
const LAZY_LOAD = RUNTIME === 'nodejs' || RUNTIME.startsWith('nodejs4.3');
const LEVEL_COLUMN = MAJOR >= 10;
const NODEJS_EXIT_ERROR = MAJOR >= 18;
const CALLBACK_HANDLERS = MAJOR < 24;
const API_PREFIX = '/2018-06-01/runtime';
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const BEFORE_EXIT = Symbol.for('aws.lambda.beforeExit');

// Errors

const RUNTIME_ERRORS = {};
for (const name of [
  'ImportModuleError',
  'HandlerNotFound',
  'MalformedHandlerName',
  'UserCodeSyntaxError',
  'NodeJsExit',
  'CallbackHandlerDeprecated',
]) {
  RUNTIME_ERRORS[name] = { [name]: class extends Error {} }[name];
}
RUNTIME_ERRORS.UnhandledPromiseRejection = class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
};
for (const [name, cls] of Object.entries(RUNTIME_ERRORS)) {
  cls.prototype.name = `Runtime.${name}`;
}
const NODEJS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly ' +
  'caused by a Promise that was never settled. For more information, see ' +
  'https://nodejs.org/docs/latest/api/process.html#exit-codes';
const CALLBACK_DEPRECATED_MESSAGE =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with ' +
  'Node.js 24. You need to modify this function to use a supported handler signature to use ' +
  'Node.js 24 or later. For more information see ' +
  'https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

function isErrorLike(obj) {
  return (
    obj &&
    typeof obj.name === 'string' &&
    typeof obj.message === 'string' &&
    typeof obj.stack === 'string' &&
    obj.name &&
    obj.message &&
    obj.stack
  );
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

/** The body posted to the Runtime API for an error. */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_) {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(value) {
  if (!(value instanceof Error)) {
    return value;
  }
  const described = Object.assign(
    { errorType: value.name, errorMessage: value.message, code: value.code },
    value,
  );
  if (typeof value.stack === 'string') {
    described.stack = value.stack.split('\n');
  }
  return described;
}

/** An error as the text log shows it, after a tab. */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_key, value) => withEnumerableProperties(value));
  } catch (_) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

// Console: every call is one log record, framed on the telemetry descriptor when there is one.

const LEVELS = Object.freeze({
  TRACE: { name: 'TRACE', priority: 1, tlvMask: 0b00100 },
  DEBUG: { name: 'DEBUG', priority: 2, tlvMask: 0b01000 },
  INFO: { name: 'INFO', priority: 3, tlvMask: 0b01100 },
  WARN: { name: 'WARN', priority: 4, tlvMask: 0b10000 },
  ERROR: { name: 'ERROR', priority: 5, tlvMask: 0b10100 },
  FATAL: { name: 'FATAL', priority: 6, tlvMask: 0b11000 },
});
const JSON_LOGS = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';

function jsonErrorReplacer(_key, value) {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: value?.constructor?.name ?? 'UnknownError',
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
  }
  return value;
}

function formatJsonMessage(requestId, timestamp, level, ...messageParams) {
  const result = { timestamp, level: level.name, requestId };
  if (messageParams.length === 1) {
    result.message = messageParams[0];
    try {
      return JSON.stringify(result, jsonErrorReplacer);
    } catch (_) {
      result.message = util.format(result.message);
      return JSON.stringify(result);
    }
  }
  result.message = util.format(...messageParams);
  for (const param of messageParams) {
    if (param instanceof Error) {
      result.errorType = param?.constructor?.name ?? 'UnknownError';
      result.errorMessage = param.message;
      result.stackTrace = typeof param.stack === 'string' ? param.stack.split('\n') : [];
      break;
    }
  }
  return JSON.stringify(result);
}

function textLine(date, level, message, params) {
  const levelColumn = LEVEL_COLUMN ? `${level.name}\t` : '';
  return `${date.toISOString()}\t${global[REQUEST_ID]}\t${levelColumn}${util.format(message, ...params)}`;
}

function logger() {
  const setting = process.env._LAMBDA_TELEMETRY_LOG_FD;
  delete process.env._LAMBDA_TELEMETRY_LOG_FD;
  if (setting == null) {
    return (level, message, ...params) => {
      const date = new Date();
      const line = JSON_LOGS
        ? formatJsonMessage(global[REQUEST_ID], date.toISOString(), level, message, ...params)
        : textLine(date, level, message, params);
      process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    };
  }
  const fd = parseInt(setting, 10);
  const header = Buffer.alloc(16);
  return (level, message, ...params) => {
    const date = new Date();
    const text = JSON_LOGS
      ? formatJsonMessage(global[REQUEST_ID], date.toISOString(), level, message, ...params)
      : textLine(date, level, message, params) + '\n';
    const body = Buffer.from(text, 'utf8');
    header.writeUInt32BE(((JSON_LOGS ? 0xa55a0002 : 0xa55a0003) | level.tlvMask) >>> 0, 0);
    header.writeInt32BE(body.length, 4);
    header.writeBigInt64BE(BigInt(date.valueOf()) * 1000n, 8);
    fs.writeSync(fd, Buffer.concat([header, body]));
  };
}

function patchConsole() {
  const log = logger();
  const threshold = LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] ?? LEVELS.TRACE;
  const method = (level) =>
    level.priority >= threshold.priority
      ? (message, ...params) => log(level, message, ...params)
      : () => {};
  console.trace = method(LEVELS.TRACE);
  console.debug = method(LEVELS.DEBUG);
  console.info = method(LEVELS.INFO);
  console.log = console.info;
  console.warn = method(LEVELS.WARN);
  console.error = method(LEVELS.ERROR);
  console.fatal = (message, ...params) => log(LEVELS.FATAL, message, ...params);
}

function logError(label, error) {
  if (JSON_LOGS) {
    console.error(intoError(error));
  } else {
    console.error(label, toFormatted(intoError(error)));
  }
}

// The AWS SDK for JavaScript v2 does not read AWS_ENDPOINT_URL: every copy of it that the
// function loads gets that endpoint in its global configuration (`AWS.config`, also when the
// SDK or the function replaces it), so `new AWS.SES()` reaches Tidal. Module exports are only
// probed with `in`, which does not trip Node's warning about modules still loading.

function configureSdkV2() {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) {
    return;
  }
  const configured = new WeakSet();
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const exported = load.call(this, request, parent, isMain);
    if (
      exported !== null &&
      typeof exported === 'object' &&
      !configured.has(exported) &&
      'VERSION' in exported &&
      'Config' in exported &&
      typeof exported.VERSION === 'string' &&
      exported.VERSION.startsWith('2.') &&
      typeof exported.Config === 'function'
    ) {
      configured.add(exported);
      pointSdkAt(exported, endpoint);
    }
    return exported;
  };
}

function pointSdkAt(AWS, endpoint) {
  const pointed = (config) => {
    if (config instanceof AWS.Config && !config.endpoint) {
      config.update({ endpoint });
    }
    return config;
  };
  let current = pointed(AWS.config);
  Object.defineProperty(AWS, 'config', {
    configurable: true,
    enumerable: true,
    get: () => current,
    set: (value) => {
      current = pointed(value);
    },
  });
}

// ES modules do not look in NODE_PATH; a resolve hook lets them import the SDK and layers'
// packages from there, as they can on AWS.

let esmHookRegistered = false;

function registerEsmResolveHook() {
  if (esmHookRegistered || typeof Module.register !== 'function') {
    return;
  }
  esmHookRegistered = true;
  const folders = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean);
  Module.register(url.pathToFileURL(path.join(__dirname, 'esm_resolve.mjs')).href, {
    data: { folders },
  });
}

// The Runtime API: HTTP/1.1 with one kept-alive connection.

class RuntimeClient {
  constructor(address) {
    const [hostname, port] = address.split(':');
    this.hostname = hostname;
    this.port = parseInt(port, 10);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  async nextInvocation() {
    const { headers, body } = await this.request('GET', `${API_PREFIX}/invocation/next`);
    return { bodyJson: body.toString('utf8'), headers };
  }

  postInvocationResponse(response, id, callback) {
    this.post(`${API_PREFIX}/invocation/${encodeURIComponent(id)}/response`, serialize(response), {}, callback);
  }

  postInvocationError(error, id, callback) {
    const body = serialize(toRapidResponse(error));
    this.post(`${API_PREFIX}/invocation/${encodeURIComponent(id)}/error`, body, {}, callback);
  }

  postInitError(error, callback) {
    const response = toRapidResponse(error);
    const headers = { 'Lambda-Runtime-Function-Error-Type': response.errorType };
    this.post(`${API_PREFIX}/init/error`, serialize(response), headers, callback);
  }

  post(requestPath, body, headers, callback) {
    const sent = this.request('POST', requestPath, body, {
      'Content-Type': 'application/json',
      ...headers,
    });
    sent.then(callback, (error) => {
      process.stderr.write(`The Runtime API is unreachable: ${error}\n`);
      process.exit(1);
    });
  }

  request(method, requestPath, body, headers, retried) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
      const request = http.request(
        {
          hostname: this.hostname,
          port: this.port,
          path: requestPath,
          method,
          agent: this.agent,
          headers: payload ? { ...headers, 'Content-Length': payload.length } : headers,
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', (error) => {
        if (!retried && request.reusedSocket && ['ECONNRESET', 'EPIPE'].includes(error.code)) {
          resolve(this.request(method, requestPath, body, headers, true));
        } else {
          reject(error);
        }
      });
      request.end(payload);
    });
  }
}

function serialize(body) {
  try {
    return JSON.stringify(body === undefined ? null : body);
  } catch (_) {
    throw new Error('Unable to stringify response body');
  }
}

// The handler

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function moduleRootAndHandler(fullHandlerString) {
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  return [moduleRoot, handlerString];
}

function splitHandlerString(handler) {
  const match = handler.match(FUNCTION_EXPR);
  if (!match || match.length !== 3) {
    throw new RUNTIME_ERRORS.MalformedHandlerName('Bad handler');
  }
  return [match[1], match[2]];
}

function resolveHandler(object, nestedProperty) {
  return nestedProperty.split('.').reduce((nested, key) => nested && nested[key], object);
}

function tryRequireFile(file, extension) {
  const candidate = file + (extension || '');
  return fs.existsSync(candidate) ? require(candidate) : undefined;
}

async function tryAwaitImport(file, extension) {
  const candidate = file + (extension || '');
  if (!fs.existsSync(candidate)) {
    return undefined;
  }
  registerEsmResolveHook();
  return await import(url.pathToFileURL(candidate).href);
}

function hasFolderPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) {
    return false;
  }
  const packageJson = path.join(folder, '/package.json');
  if (fs.existsSync(packageJson)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(packageJson));
      if (pkg) {
        return pkg.type === 'module';
      }
    } catch (e) {
      console.warn(
        `${packageJson} cannot be read, it will be ignored for ES module detection purposes.`,
        e,
      );
      return false;
    }
  }
  if (folder === '/') {
    return false;
  }
  return hasFolderPackageJsonTypeModule(path.resolve(folder, '..'));
}

async function tryRequire(appRoot, moduleRoot, module) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, module);
  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) {
    return extensionless;
  }
  const pjHasModule = hasFolderPackageJsonTypeModule(path.resolve(path.dirname(lambdaStylePath)));
  if (!pjHasModule) {
    const loaded = tryRequireFile(lambdaStylePath, '.js');
    if (loaded) {
      return loaded;
    }
  }
  const loaded =
    (pjHasModule && (await tryAwaitImport(lambdaStylePath, '.js'))) ||
    (await tryAwaitImport(lambdaStylePath, '.mjs')) ||
    tryRequireFile(lambdaStylePath, '.cjs');
  if (loaded) {
    return loaded;
  }
  const nodeStylePath = require.resolve(module, { paths: [appRoot, moduleRoot] });
  return require(nodeStylePath);
}

async function loadUserApp(appRoot, moduleRoot, module) {
  try {
    return await tryRequire(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new RUNTIME_ERRORS.UserCodeSyntaxError(e);
    } else if (e.code !== undefined && e.code === 'MODULE_NOT_FOUND') {
      throw new RUNTIME_ERRORS.ImportModuleError(e);
    }
    throw e;
  }
}

async function loadHandler(appRoot, fullHandlerString) {
  if (fullHandlerString.includes('..')) {
    throw new RUNTIME_ERRORS.MalformedHandlerName(
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const [moduleRoot, moduleAndHandler] = moduleRootAndHandler(fullHandlerString);
  const [module, handlerPath] = splitHandlerString(moduleAndHandler);
  const userApp = await loadUserApp(appRoot, moduleRoot, module);
  const handlerFunc = resolveHandler(userApp, handlerPath);
  if (!handlerFunc) {
    throw new RUNTIME_ERRORS.HandlerNotFound(`${fullHandlerString} is undefined or not exported`);
  }
  if (typeof handlerFunc !== 'function') {
    throw new RUNTIME_ERRORS.HandlerNotFound(`${fullHandlerString} is not a function`);
  }
  if (!CALLBACK_HANDLERS && handlerFunc.length >= 3) {
    throw new RUNTIME_ERRORS.CallbackHandlerDeprecated(CALLBACK_DEPRECATED_MESSAGE);
  }
  return handlerFunc;
}

function isAsync(handler) {
  return handler.constructor && handler.constructor.name === 'AsyncFunction';
}

// The invocation loop

const beforeExit = {
  invoke: () => global[BEFORE_EXIT](),
  reset: () => (global[BEFORE_EXIT] = () => {}),
  set: (listener) => (global[BEFORE_EXIT] = listener),
};

/**
 * The callback, and the part of the context holding succeed/fail/done and
 * callbackWaitsForEmptyEventLoop; only the first of their calls counts.
 */
function buildCallbackContext(client, id, scheduleNext) {
  const postError = (err, callback) => {
    logError('Invoke Error', err);
    client.postInvocationError(err, id, callback);
  };
  let isCompleteInvoked = false;
  const complete = (result, callback) => {
    if (isCompleteInvoked) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    isCompleteInvoked = true;
    client.postInvocationResponse(result, id, callback);
  };
  let waitForEmptyEventLoop = true;
  const callback = function (err, result) {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else if (!waitForEmptyEventLoop) {
      complete(result, scheduleNext);
    } else {
      beforeExit.set(() => setImmediate(() => complete(result, scheduleNext)));
    }
  };
  const done = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else {
      complete(result, scheduleNext);
    }
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: (result) => done(null, result),
    fail: (err) => (err === undefined || err === null ? done('handled') : done(err, null)),
    done,
  };
  let finished = false;
  const onlyFirst = (toWrap) =>
    function () {
      if (!finished) {
        toWrap.apply(null, arguments);
        finished = true;
      }
    };
  context.succeed = onlyFirst(context.succeed);
  context.fail = onlyFirst(context.fail);
  context.done = onlyFirst(context.done);
  return [onlyFirst(callback), context, () => (isCompleteInvoked = true)];
}

function parseJsonHeader(value, name) {
  if (value === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function attachEnvironmentData(context, headers) {
  if (headers['lambda-runtime-trace-id']) {
    process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
  const deadline = headers['lambda-runtime-deadline-ms'];
  return Object.assign(
    context,
    {
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    },
    {
      clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
      identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
      invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
      awsRequestId: headers['lambda-runtime-aws-request-id'],
      tenantId: headers['lambda-runtime-aws-tenant-id'],
      getRemainingTimeInMillis: () => deadline - Date.now(),
    },
  );
}

class Runtime {
  constructor(client, handler, errorCallbacks) {
    this.client = client;
    this.handler = handler;
    this.errorCallbacks = errorCallbacks;
  }

  scheduleIteration() {
    setImmediate(() => {
      this.handleOnce().then(
        () => {},
        (err) => {
          console.log(`Unexpected Top Level Error: ${err.toString()}`);
          this.errorCallbacks.uncaughtException(err);
        },
      );
    });
  }

  async handleOnce() {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const invokeId = headers['lambda-runtime-aws-request-id'];
    global[REQUEST_ID] = invokeId;
    const scheduleNext = this.scheduleIteration.bind(this);
    const [callback, callbackContext, markCompleted] = buildCallbackContext(
      this.client,
      invokeId,
      scheduleNext,
    );
    try {
      this.setErrorCallbacks(invokeId);
      if (this.handler === null) {
        this.handler = await loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
      }
      this.setDefaultExitListener(invokeId, markCompleted, isAsync(this.handler));
      const context = attachEnvironmentData(
        CALLBACK_HANDLERS ? callbackContext : {},
        headers,
      );
      const event = JSON.parse(bodyJson);
      const result = CALLBACK_HANDLERS
        ? this.handler(event, context, callback)
        : Promise.resolve(this.handler(event, context));
      if (result && typeof result.then === 'function') {
        result.then(callbackContext.succeed, callbackContext.fail).catch(callbackContext.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  setErrorCallbacks(invokeId) {
    this.errorCallbacks.uncaughtException = (error) =>
      this.client.postInvocationError(error, invokeId, () => process.exit(129));
    this.errorCallbacks.unhandledRejection = (error) =>
      this.client.postInvocationError(error, invokeId, () => process.exit(128));
  }

  /** When the event loop empties before the handler finished: null for a callback-style
   * handler that never called back, Runtime.NodeJsExit for an unsettled async one. */
  setDefaultExitListener(invokeId, markCompleted, handlerIsAsync) {
    beforeExit.set(() => {
      markCompleted();
      if (NODEJS_EXIT_ERROR && (handlerIsAsync || !CALLBACK_HANDLERS)) {
        const error = new RUNTIME_ERRORS.NodeJsExit(NODEJS_EXIT_MESSAGE);
        logError('Invoke Error', error);
        this.client.postInvocationError(error, invokeId, () => this.scheduleIteration());
      } else {
        this.client.postInvocationResponse(null, invokeId, () => this.scheduleIteration());
      }
    });
  }
}

async function main() {
  patchConsole();
  configureSdkV2();
  const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);
  const errorCallbacks = {
    uncaughtException: (error) => client.postInitError(error, () => process.exit(129)),
    unhandledRejection: (error) => client.postInitError(error, () => process.exit(128)),
  };
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new RUNTIME_ERRORS.UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  beforeExit.reset();
  process.on('beforeExit', beforeExit.invoke);

  let handler = null;
  if (!LAZY_LOAD) {
    try {
      handler = await loadHandler(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
    } catch (error) {
      logError(CALLBACK_HANDLERS ? 'Uncaught Exception' : 'Init Error', error);
      client.postInitError(error, () => process.exit(129));
      return;
    }
  }
  new Runtime(client, handler, errorCallbacks).scheduleIteration();
}

main();
