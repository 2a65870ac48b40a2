"""Tidal's runtime interface client for the python3.x Lambda runtimes.

One long-lived process of one execution environment: it imports the handler named by
`_HANDLER`, then loops on the Runtime API (reference/lambda.md §5), calling the handler with
each event. Everything a user can observe (error bodies and types, the context object, the
log records and their framing on the telemetry descriptor, print() on stdout) is as AWS's
Python runtime interface client (awslambdaric) makes it.

The file stands alone and imports little: its start-up time is part of every cold start, and
nothing of it must sit on sys.path where the handler's own modules are looked up. Its own
imports are made before the function's folders (PYTHONPATH: the code, the layers) go back on
sys.path, so a function's `logging.py` or `json.py` does not replace the runtime's, as on AWS.
"""

# ruff: noqa: E402

import os
import sys

_SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
_FUNCTION_PATHS = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
sys.path[:] = [path for path in sys.path if path != _SCRIPT_DIR and path not in _FUNCTION_PATHS]

import importlib
import json
import logging
import socket
import threading
import time
import traceback
from datetime import UTC, datetime

sys.path[0:0] = _FUNCTION_PATHS

ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_IDENT = "\u00a0"
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function "
    "code. However, in rare cases, a Lambda runtime update can cause unexpected function "
    "behavior. For functions using managed runtimes, runtime updates can be triggered by a "
    "function change, or can be applied automatically. To determine if the runtime has been "
    "updated, check the runtime version in the INIT_START log entry. If this error correlates "
    "with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
JSON_FRAME_TYPES = {
    logging.NOTSET: 0xA55A0002,
    logging.DEBUG: 0xA55A000A,
    logging.INFO: 0xA55A000E,
    logging.WARNING: 0xA55A0012,
    logging.ERROR: 0xA55A0016,
    logging.CRITICAL: 0xA55A001A,
}
TEXT_FRAME_TYPES = {
    logging.NOTSET: 0xA55A0003,
    logging.DEBUG: 0xA55A000B,
    logging.INFO: 0xA55A000F,
    logging.WARNING: 0xA55A0013,
    logging.ERROR: 0xA55A0017,
    logging.CRITICAL: 0xA55A001B,
}
RESERVED_RECORD_FIELDS = {
    "name",
    "msg",
    "args",
    "levelname",
    "levelno",
    "pathname",
    "filename",
    "module",
    "exc_info",
    "exc_text",
    "stack_info",
    "lineno",
    "funcName",
    "created",
    "msecs",
    "relativeCreated",
    "thread",
    "threadName",
    "processName",
    "process",
    "aws_request_id",
    "tenant_id",
    "_frame_type",
}

LOG_FORMAT_JSON = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"
_LEVEL_SETTING = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
LOG_LEVEL = {None: "", "TRACE": "DEBUG"}.get(_LEVEL_SETTING, _LEVEL_SETTING).upper()
API_PREFIX = "/2018-06-01/runtime"

_request_id = None
_tenant_id = None


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


# The Runtime API: HTTP/1.1 on one keep-alive connection.


class RuntimeClientError(Exception):
    pass


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host, int(port))
        self.host_header = address
        self.user_agent = "aws-lambda-python/{}.{}.{}-tidal".format(*sys.version_info[:3])
        self.sock = None
        self.stream = None

    def next_invocation(self):
        return self._request("GET", API_PREFIX + "/invocation/next")

    def post_result(self, invoke_id, body, content_type):
        path = f"{API_PREFIX}/invocation/{invoke_id}/response"
        self._request("POST", path, body, {"Content-Type": content_type})

    def post_error(self, invoke_id, error_json):
        path = f"{API_PREFIX}/invocation/{invoke_id}/error"
        self._request("POST", path, error_json.encode(), {"Content-Type": "application/json"})

    def post_init_error(self, error):
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Function-Error-Type": error["errorType"],
        }
        status, _, body = self._request(
            "POST", API_PREFIX + "/init/error", to_json(error).encode(), headers
        )
        if status != 202:
            raise RuntimeClientError(
                "Request to Lambda Runtime '/runtime/init/error' endpoint failed. "
                f"Reason: '{status}'. Response body: '{body}'"
            )

    def _request(self, method, path, body=None, headers=None, retry=True):
        """Send one request; a kept-alive connection the server closed meanwhile is replaced."""
        reused = self.sock is not None
        if not reused:
            self._connect()
        try:
            self._send(method, path, body, headers or {})
            return self._response()
        except _StaleConnection:
            self._close()
            if reused and retry:
                return self._request(method, path, body, headers, retry=False)
            raise ConnectionError("the Runtime API closed the connection") from None
        except OSError:
            self._close()
            raise

    def _connect(self):
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.stream = self.sock.makefile("rb")

    def _close(self):
        if self.sock is not None:
            self.stream.close()
            self.sock.close()
        self.sock = self.stream = None

    def _send(self, method, path, body, headers):
        lines = [
            f"{method} {path} HTTP/1.1",
            "Host: " + self.host_header,
            "User-Agent: " + self.user_agent,
        ]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            self.sock.sendall(head + body if body else head)
        except (BrokenPipeError, ConnectionResetError):
            raise _StaleConnection() from None

    def _response(self):
        try:
            status_line = self.stream.readline()
        except ConnectionResetError:
            raise _StaleConnection() from None
        if not status_line:
            raise _StaleConnection()
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = self.stream.readline()
            if not line:
                raise ConnectionError("the Runtime API closed the connection mid-response")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self._body(headers)
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _body(self, headers):
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int(self.stream.readline().split(b";")[0], 16)
                if size == 0:
                    while self.stream.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self._exactly(size))
                self.stream.readline()
        if "content-length" in headers:
            return self._exactly(int(headers["content-length"]))
        headers["connection"] = "close"
        return self.stream.read()

    def _exactly(self, size):
        data = self.stream.read(size)
        if len(data) != size:
            raise ConnectionError("the Runtime API closed the connection mid-response")
        return data


class _StaleConnection(Exception):
    pass


# JSON as awslambdaric's marshaller writes it (Decimal as a bare number).

_DECIMAL_TOKEN = f"tidal-decimal-{os.urandom(8).hex()}-"


def to_json(value):
    decimals = []

    def default(item):
        decimal = sys.modules.get("decimal")
        if decimal is not None and isinstance(item, decimal.Decimal):
            if item.is_nan():
                return float("nan")
            decimals.append(str(item))
            return _DECIMAL_TOKEN + str(len(decimals) - 1)
        raise TypeError(f"Object of type {type(item).__name__} is not JSON serializable")

    ensure_ascii = os.environ.get("AWS_EXECUTION_ENV") != "AWS_Lambda_python3.12"
    text = json.JSONEncoder(ensure_ascii=ensure_ascii, default=default).encode(value)
    for index, number in enumerate(decimals):
        text = text.replace(f'"{_DECIMAL_TOKEN}{index}"', number, 1)
    return text


def unmarshal_request(body, content_type):
    if content_type != "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as error:
        raise FaultException(
            FaultException.UNMARSHAL_ERROR, f"Unable to unmarshal input: {error}", None
        ) from None


def marshal_response(response):
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode(), "application/json"
    except Exception as error:
        raise FaultException(
            FaultException.MARSHAL_ERROR, f"Unable to marshal response: {error}", None
        ) from None


# The handler.


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as error:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {error}"
        ) from None
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                f"Cannot use built-in module {modname} as a handler module",
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as error:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR,
            f"Unable to import module '{modname}': {error}",
        ) from None
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            f"Syntax error in module '{modname}': {error}",
            trace,
        ) from None
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            f"Handler '{fname}' missing on module '{modname}'",
            None,
        ) from None


# Errors: the body posted to the Runtime API and the record logged.


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def user_frames(tb):
    """The traceback's frames from the first one outside this file."""
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for index, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            return frames[index:]
    return frames


def build_fault_result(exc_info, invoke_id=None):
    error_type, value, tb = exc_info
    return make_error(
        str(value), error_type.__name__, traceback.format_list(user_frames(tb)), invoke_id
    )


def replace_line_indentation(line, indent_char, new_indent_char):
    count = len(line) - len(line.lstrip(indent_char))
    return new_indent_char * count + line[count:]


def log_error(error_result, sink):
    if LOG_FORMAT_JSON:
        record = {
            "timestamp": time.strftime(DATETIME_FORMAT, time.gmtime()),
            "level": "ERROR",
            **error_result,
        }
        sink.log_error([to_json(record)], JSON_FRAME_TYPES[logging.ERROR])
        return
    description = "[ERROR]"
    if error_result.get("errorType"):
        description += " " + error_result["errorType"]
    if error_result.get("errorMessage"):
        if error_result.get("errorType"):
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
                continue
            for trace_line in element.splitlines():
                lines.append(replace_line_indentation(trace_line, " ", ERROR_LOG_IDENT))
    sink.log_error(lines, TEXT_FRAME_TYPES[logging.ERROR])


# Log sinks: framed records on the telemetry descriptor, else stdout.


class Unbuffered:
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        written = self.stream.write(msg)
        self.stream.flush()
        return written

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class StandardLogSink:
    def log(self, msg, frame_type=None):
        sys.stdout.write(msg)

    def log_error(self, message_lines, frame_type):
        sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(message_lines) + "\n")


class FramedTelemetryLogSink:
    """Each record is one frame: 4-byte type, 4-byte length, 8-byte timestamp in microseconds
    (all big-endian), then the UTF-8 message."""

    def __init__(self, fd):
        self.file = os.fdopen(int(fd), "wb", 0)
        self.lock = threading.Lock()

    def log(self, msg, frame_type=None):
        encoded = msg.encode("utf-8")
        frame = memoryview(
            (frame_type or TEXT_FRAME_TYPES[logging.NOTSET]).to_bytes(4, "big")
            + len(encoded).to_bytes(4, "big")
            + (time.time_ns() // 1000).to_bytes(8, "big")
            + encoded
        )
        with self.lock:
            while frame:
                frame = frame[self.file.write(frame) :]

    def log_error(self, message_lines, frame_type):
        self.log("\n".join(message_lines), frame_type)


def create_log_sink():
    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    return FramedTelemetryLogSink(fd) if fd is not None else StandardLogSink()


def record_level(record):
    return min(50, max(0, record.levelno)) // 10 * 10


class LambdaLoggerHandler(logging.Handler):
    def __init__(self, log_sink):
        super().__init__()
        self.log_sink = log_sink

    def emit(self, record):
        self.log_sink.log(self.format(record))


class LambdaLoggerHandlerWithFrameType(LambdaLoggerHandler):
    def emit(self, record):
        frame_type = getattr(record, "_frame_type", None) or TEXT_FRAME_TYPES.get(
            record_level(record)
        )
        self.log_sink.log(self.format(record), frame_type)


class LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self):
        super().__init__(datefmt=DATETIME_FORMAT)

    def formatTime(self, record, datefmt=None):
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        return moment.strftime(DATETIME_FORMAT + ".%f")[:-3] + "Z"

    def format(self, record):
        record.levelno = record_level(record)
        record.levelname = logging.getLevelName(record.levelno)
        record._frame_type = JSON_FRAME_TYPES.get(record.levelno, JSON_FRAME_TYPES[logging.NOTSET])
        exc_info = record.exc_info
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": (
                f"{record.pathname}:{record.funcName}:{record.lineno}" if exc_info else None
            ),
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        result.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in RESERVED_RECORD_FIELDS and key not in result
        )
        result = {key: value for key, value in result.items() if value is not None}
        return json.JSONEncoder(ensure_ascii=False).encode(result) + "\n"


def setup_logging(log_sink):
    logging.Formatter.converter = time.gmtime
    logger = logging.getLogger()
    if LOG_FORMAT_JSON or LOG_LEVEL:
        handler = LambdaLoggerHandlerWithFrameType(log_sink)
    else:
        handler = LambdaLoggerHandler(log_sink)
    if LOG_FORMAT_JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT, DATETIME_FORMAT))
    if LOG_LEVEL in logging._nameToLevel:
        logger.setLevel(LOG_LEVEL)
    handler.addFilter(LambdaLoggerFilter())
    logger.addHandler(handler)


# The context object handlers receive.


class LambdaContext:
    def __init__(
        self,
        invoke_id,
        client_context,
        cognito_identity,
        epoch_deadline_time_in_ms,
        invoked_function_arn=None,
        tenant_id=None,
    ):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = make_obj_from_dict(Client, self.client_context.client)
        self.identity = make_obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        remaining = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        for handler in logging.getLogger().handlers:
            if hasattr(handler, "log_sink"):
                handler.log_sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return describe(
            self,
            (
                "aws_request_id",
                "log_group_name",
                "log_stream_name",
                "function_name",
                "memory_limit_in_mb",
                "function_version",
                "invoked_function_arn",
                "client_context",
                "identity",
                "tenant_id",
            ),
        )


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return describe(self, self.__slots__)


class Client:
    __slots__ = [
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    ]

    def __repr__(self):
        return describe(
            self,
            (
                "installation_id",
                "app_title",
                "app_version_name",
                "app_version_code",
                "app_package_name",
            ),
        )


class ClientContext:
    __slots__ = ["client", "custom", "env"]

    def __repr__(self):
        return describe(self, ("custom", "env", "client"))


def describe(obj, fields):
    """`Name([field=value,…])`, as awslambdaric's context objects print themselves."""
    values = ",".join(f"{name}={getattr(obj, name)}" for name in fields)
    return f"{type(obj).__name__}([{values}])"


def make_obj_from_dict(cls, values):
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field, None))
    return obj


def parse_json_header(header, name):
    try:
        return json.loads(header)
    except Exception as error:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            f"Unable to parse {name} JSON: {error}",
            None,
        ) from None


def create_lambda_context(headers):
    client_context = headers.get("lambda-runtime-client-context")
    cognito_identity = headers.get("lambda-runtime-cognito-identity")
    return LambdaContext(
        headers.get("lambda-runtime-aws-request-id"),
        parse_json_header(client_context, "Client Context") if client_context else None,
        parse_json_header(cognito_identity, "Cognito Identity") if cognito_identity else None,
        int(headers.get("lambda-runtime-deadline-ms", "0")),
        headers.get("lambda-runtime-invoked-function-arn"),
        headers.get("lambda-runtime-aws-tenant-id"),
    )


# The loop.


def handle_event_request(client, request_handler, invoke_id, headers, body, log_sink):
    error_result = None
    try:
        context = create_lambda_context(headers)
        event = unmarshal_request(body, headers.get("content-type", "application/json"))
        response = request_handler(event, context)
        result, content_type = marshal_response(response)
    except FaultException as error:
        error_result = make_error(error.msg, error.exception_type, error.trace, invoke_id)
    except Exception:
        error_result = build_fault_result(sys.exc_info(), invoke_id)
    if error_result is not None:
        log_error(error_result, log_sink)
        client.post_error(invoke_id, to_json(error_result))
    else:
        client.post_result(invoke_id, result, content_type)


def update_xray_env_variable(trace_id):
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def main():
    global _request_id, _tenant_id
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    log_sink = create_log_sink()
    try:
        setup_logging(log_sink)
        request_handler = get_handler(os.environ["_HANDLER"])
    except Exception as error:
        if isinstance(error, FaultException):
            error_result = make_error(error.msg, error.exception_type, error.trace)
        else:
            error_result = build_fault_result(sys.exc_info())
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
        log_error(error_result, log_sink)
        client.post_init_error(error_result)
        sys.exit(1)

    while True:
        _, headers, body = client.next_invocation()
        _request_id = headers.get("lambda-runtime-aws-request-id")
        _tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        update_xray_env_variable(headers.get("lambda-runtime-trace-id"))
        handle_event_request(client, request_handler, _request_id, headers, body, log_sink)


if __name__ == "__main__":
    main()
