"""The `cohere-dyn` command line. Every command reads the spec; none has per-endpoint code.

    cohere-dyn ops | describe METHOD | validate METHOD FILE | call METHOD ... | mock | demo
    cohere-dyn embed INPUT -o OUTPUT --model M --input-type T [--resume | --overwrite] [--via job]
    cohere-dyn lint | stubs [-o DIR] [--check] | diff OLD NEW     (a new spec: check it, type it, compare it)

Errors print one line (no traceback unless --debug) and exit non-zero.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Sequence

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_ERROR, EXIT_USAGE = 0, 1, 2, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # one clear line, unless the user asks for the traceback
        if args.debug:
            raise
        print(f"cohere-dyn: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR


def _one_line(exc: BaseException) -> str:
    from .._bulk._corpus import InputError
    from .._bulk._record import OutputError
    from .._errors import ValidationError

    if isinstance(exc, (ValidationError, InputError, OutputError)):  # each line names its place
        return str(exc)
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cohere-dyn", description="Cohere's API from its OpenAPI spec.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, run: Callable[[argparse.Namespace], int], help: str, spec: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
        if spec:
            sub.add_argument("--spec", metavar="FILE", help="another OpenAPI document (default: the packaged spec)")
        sub.set_defaults(run=run)
        return sub

    command("ops", _ops, "list every method, its route and summary")
    sub = command("describe", _describe, "a method's parameters, stream twin and result")
    sub.add_argument("method", help="e.g. v2.chat or datasets.create")
    sub = command("validate", _validate, "check a JSON payload offline (exit 0 valid, 1 invalid)")
    sub.add_argument("method")
    sub.add_argument("file", help="a JSON file of keyword arguments, or - for standard input")
    sub = command("call", _call, "call a method and print the response (CO_API_KEY, CO_API_URL)")
    sub.add_argument("method")
    sub.add_argument(
        "--json",
        nargs="?",
        const=True,
        metavar="PAYLOAD",
        help="the keyword arguments as a JSON object; given alone, print stream events as JSON lines",
    )
    sub.add_argument("--data", metavar="FILE", help="the keyword arguments from a JSON file (- for stdin)")
    sub.add_argument("-p", dest="params", action="append", default=[], metavar="KEY=VALUE", help="one argument (VALUE parsed as JSON when it can be)")
    sub = command("embed", _embed, "embed a corpus into JSONL, one line per input, resumable (CO_API_KEY, CO_API_URL)")
    sub.add_argument("input", help=".jsonl (a field per line), .csv (a column), .txt (one text a line), or - for stdin")
    sub.add_argument("-o", "--output", required=True, help="a .jsonl file: {index, id, embedding} per input")
    sub.add_argument("--model", required=True)
    sub.add_argument("--input-type", required=True, help="search_document, search_query, classification, clustering...")
    sub.add_argument("--embedding-type", dest="embedding_types", action="append", metavar="TYPE", help="float (default), int8, uint8, binary, ubinary, base64; repeat for several")
    sub.add_argument("--field", default="text", help="the .jsonl field or .csv column holding the text (default: text)")
    sub.add_argument("--format", choices=("jsonl", "csv", "txt"), help="the input's format (default: from its extension)")
    sub.add_argument("--truncate", choices=("NONE", "START", "END"))
    sub.add_argument("--batch-size", type=int, help="texts per request (default 96)")
    sub.add_argument("--max-workers", type=int, help="the most requests in flight (default: adapts to the server)")
    sub.add_argument("--resume", action="store_true", help="keep OUTPUT's lines and embed only the inputs after them (--via job: reuse its dataset and job)")
    sub.add_argument("--overwrite", action="store_true", help="replace a non-empty OUTPUT (without it, or --resume, the run refuses to)")
    sub.add_argument("--via", choices=("stream", "job"), default="stream", help="job: upload a dataset, run an embed job, download")
    sub = command("mock", _mock, "run the mock Cohere API in the foreground")
    sub.add_argument("--host", default="127.0.0.1")
    sub.add_argument("--port", type=int, default=8080)
    sub = command("demo", _demo, "a short tour: chat, streamed chat, embed, rerank, validation (no key needed)", spec=False)
    sub.add_argument(
        "--deployment",
        choices=("cohere", "bedrock", "sagemaker", "oci"),
        default="cohere",
        help="where the models are: the Cohere API (default), Amazon Bedrock, SageMaker or OCI Generative AI (mock routes without credentials)",
    )
    sub.add_argument("--endpoint", metavar="NAME", help="the SageMaker endpoint (or Bedrock model) to use on AWS")
    sub = command("lint", _lint, "strict checks of a spec, each finding at its JSON pointer (exit 0 clean, 1 errors)")
    sub.add_argument("--json", action="store_true", help="findings as one JSON document")
    sub = command("stubs", _stubs, "write typed .pyi stubs of the client a spec builds (exit 1: --check found them stale)")
    sub.add_argument("-o", "--output", metavar="DIR", help="where to write (default: the cohere_dyn package itself)")
    sub.add_argument("--check", action="store_true", help="write nothing; exit 1 if the stubs in DIR differ")
    sub = command("diff", _diff, "changes between two specs, breaking or not (exit 0 none breaking, 1 breaking)", spec=False)
    sub.add_argument("old", help="the spec users' code was written against")
    sub.add_argument("new", help="the spec to move to")
    sub.add_argument("--json", action="store_true", help="changes as one JSON document")
    return parser


# ops / describe / validate --------------------------------------------------------------------


def _load(args: argparse.Namespace) -> Any:
    from .._spec._document import Spec

    return Spec.load(args.spec)


def _ops(args: argparse.Namespace) -> int:
    spec = _load(args)
    rows = [(op.qualified_name, f"{op.http_method} {op.path}", op.summary) for op in spec.operations]
    width = max((len(name) for name, _, _ in rows), default=0)
    route_width = max((len(route) for _, route, _ in rows), default=0)
    for name, route, summary in rows:
        print(f"{name:<{width}}  {route:<{route_width}}  {summary}".rstrip())
    return EXIT_OK


def _describe(args: argparse.Namespace) -> int:
    from .._signatures import describe_type

    spec = _load(args)
    op = spec.operation(args.method)
    resolver = spec.resolver
    print(f"{op.qualified_name}: {op.summary}")
    print(f"  route: {op.http_method} {op.path}")
    if op.stream is not None:
        if op.streaming:
            print(f"  streams; non-streaming twin: {'.'.join((*op.group, _plain_name(spec, op)))}")
        else:
            print(f"  stream twin: {'.'.join((*op.group, op.stream.method))}")
    print("  parameters:")
    for argument in op.arguments:
        target = resolver.deref(argument.schema)
        details = [describe_type(resolver, argument.schema, argument.location)]
        details.append("required" if argument.required else "optional")
        if isinstance(target, dict):
            if "enum" in target:
                details.append("one of " + ", ".join(json.dumps(v) for v in target["enum"]))
            if "default" in target:
                details.append(f"default {json.dumps(target['default'])}")
        if argument.location in ("query", "header", "file") or argument.wire_name != argument.keyword:
            details.append(f"{argument.location} {argument.wire_name!r}")
        print(f"    {argument.keyword}: {'; '.join(details)}")
        if argument.description:
            print(f"        {' '.join(argument.description.split())}")
    print("  returns: " + _returns_line(spec, op))
    return EXIT_OK


def _plain_name(spec: Any, op: Any) -> str:
    for other in spec.operations:
        if other.path == op.path and other.http_method == op.http_method and not other.streaming:
            return other.name
    return op.name


def _returns_line(spec: Any, op: Any) -> str:
    from .._signatures import returns_of

    name, meaning = returns_of(spec, op)
    return f"{name}: {meaning}" if meaning else name


def _read_json(source: str) -> Any:
    text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{'standard input' if source == '-' else source} is not JSON: {exc}") from None


def _validate(args: argparse.Namespace) -> int:
    import cohere_dyn
    from .._errors import ValidationError

    payload = _read_json(args.file)
    if not isinstance(payload, dict):
        raise ValueError("the payload must be a JSON object of keyword arguments")
    try:
        cohere_dyn.validate(args.method, payload, spec=args.spec)
    except ValidationError as exc:
        for problem in exc.problems:
            print(problem)
        return EXIT_INVALID
    except TypeError as exc:
        print(exc)
        return EXIT_INVALID
    print(f"{args.method}: valid")
    return EXIT_OK


# call ----------------------------------------------------------------------------------------


def _arguments(args: argparse.Namespace) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if isinstance(args.json, str):
        payload.update(_object(json.loads(args.json), "--json"))
    if args.data:
        payload.update(_object(_read_json(args.data), "--data"))
    for pair in args.params:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"-p takes KEY=VALUE, got {pair!r}")
        try:
            payload[key] = json.loads(value)
        except ValueError:
            payload[key] = value
    return payload


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a JSON object of keyword arguments")
    return value


def _call(args: argparse.Namespace) -> int:
    import cohere_dyn

    kwargs = _arguments(args)
    client = cohere_dyn.Client(spec=args.spec)
    method = _method(client, args.method)
    with client:
        result = method(**kwargs)
        if method.operation.streaming:
            _print_stream(result, json_lines=args.json is True)
        else:
            print(json.dumps(_plain(result), indent=2, ensure_ascii=False))
    return EXIT_OK


def _method(client: Any, name: str) -> Any:
    target = client
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _plain(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


def _print_stream(stream: Any, json_lines: bool) -> None:
    with stream:
        if json_lines:
            for event in stream:
                print(json.dumps(event.to_dict(), ensure_ascii=False), flush=True)
            return
        for piece in stream.text():
            sys.stdout.write(piece)
            sys.stdout.flush()
        final = stream.final()
    print()
    print(_summary(stream, final), file=sys.stderr)


def _summary(stream: Any, final: Any) -> str:
    usage = final.get("usage") or final.get("meta") or {}
    billed = usage.get("billed_units")
    tokens = f", billed {dict(billed)}" if billed else ""
    return f"[{len(stream.events)} events, finish reason {final.get('finish_reason') or 'unknown'}{tokens}]"


# embed ----------------------------------------------------------------------------------------


def _embed(args: argparse.Namespace) -> int:
    import cohere_dyn

    from .._bulk._corpus import corpus_format

    if args.resume and args.overwrite:
        raise ValueError("--resume keeps OUTPUT's lines, --overwrite replaces them: give one of them")
    kind = corpus_format(args.input, args.format)
    client = cohere_dyn.Client(spec=args.spec)
    bar = _ProgressLine() if sys.stderr.isatty() else None
    arguments = {"model": args.model, "input_type": args.input_type, "embedding_types": args.embedding_types or ["float"]}
    if args.truncate:
        arguments["truncate"] = args.truncate
    with client:
        if args.via == "job":
            from .._bulk._via_job import JobInterrupted, embed_via_job

            try:
                summary: Any = embed_via_job(
                    client, args.input, args.output, kind=kind, field=args.field, arguments=arguments,
                    progress=bar.status if bar else None, resume=args.resume, overwrite=args.overwrite,
                )
            except JobInterrupted as stopped:
                if bar is not None:
                    bar.end()
                print(f"interrupted: {_job_hint(stopped, args.output)}", file=sys.stderr)
                return 130
        else:
            from .._bulk._embed_file import embed_file

            for name in ("batch_size", "max_workers"):
                if getattr(args, name) is not None:
                    arguments[name] = getattr(args, name)
            try:
                summary = embed_file(
                    client.v2.embed_stream, args.input, args.output, kind=kind, field=args.field,
                    resume=args.resume, overwrite=args.overwrite, arguments=arguments, progress=bar.texts if bar else None,
                )
            except KeyboardInterrupt:
                if bar is not None:
                    bar.end()
                print(f"interrupted: {args.output} holds whole lines; --resume continues from there", file=sys.stderr)
                return 130
    if bar is not None:
        bar.end()
    print(f"{summary} -> {args.output}", file=sys.stderr)
    return EXIT_OK


def _job_hint(stopped: Any, output: str) -> str:
    """What an interrupted `--via job` left on Cohere's side, and how to reuse or remove it."""
    advice = {
        "validation": f"--resume reuses it; to delete it: cohere-dyn call datasets.delete -p id={stopped.dataset_id}",
        "start": "cohere-dyn call embed_jobs.list shows whether it started; --resume reuses the dataset and starts a job",
        "job": f"--resume waits for it and downloads the result; to cancel it: cohere-dyn call embed_jobs.cancel -p id={stopped.job_id}",
        "download": f"{output} holds whole lines; --resume downloads the rest",
    }.get(stopped.stage)
    return f"{stopped}; {advice}" if advice else str(stopped)


class _ProgressLine:
    """One line on a terminal, redrawn at most 5 times a second: texts done, then rate and ETA.

    The rate counts from the first answer on, and shows (with the ETA) only once it spans a
    second: the first answer alone says nothing of the pace.
    """

    def __init__(self) -> None:
        self.drawn = 0.0
        self.first: tuple[float, int] | None = None

    def texts(self, summary: Any) -> None:
        import time

        now = time.monotonic()
        if self.first is None:
            self.first = (now, summary.embedded)
        if now - self.drawn < 0.2:
            return
        self.drawn = now
        done = summary.skipped + summary.embedded
        line = f"{done:,}/{summary.total:,} texts" if summary.total else f"{done:,} texts"
        span = now - self.first[0]
        if span >= 1.0:
            rate = (summary.embedded - self.first[1]) / span
            line += f"  {rate:,.0f}/s"
            if summary.total and rate > 0:
                left = max(summary.total - done, 0) / rate
                line += f"  ETA {int(left // 60)}:{int(left % 60):02d}"
        self.show(line)

    def status(self, text: str) -> None:
        self.show(text)

    def show(self, line: str) -> None:
        sys.stderr.write("\r" + line[:100].ljust(60))
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\n")


# mock and demo --------------------------------------------------------------------------------


def _mock(args: argparse.Namespace) -> int:
    from ..mock import run

    run(host=args.host, port=args.port, spec=args.spec)
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return run_demo(os.environ.get("CO_API_KEY") or os.environ.get("COHERE_API_KEY"), args.deployment, args.endpoint)


# lint, stubs and diff: the tools for a new spec ------------------------------------------------


def _lint(args: argparse.Namespace) -> int:
    from ._lint import ERROR, lint_file, report
    from .._spec._loader import default_spec_path

    source = args.spec or default_spec_path()
    findings = lint_file(source)
    errors = any(finding.severity == ERROR for finding in findings)
    if args.json:
        print(json.dumps({"spec": source, "ok": not errors, "findings": [f.to_dict() for f in findings]}, indent=2))
    else:
        print(report(findings, source))
    return EXIT_INVALID if errors else EXIT_OK


def _stubs(args: argparse.Namespace) -> int:
    from ._stubs import stale, write

    spec = _load(args)
    folder = args.output or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if args.check:
        different = stale(spec, folder)
        for path in different:
            print(f"stale: {path} (regenerate: cohere-dyn stubs{' --spec ' + args.spec if args.spec else ''} -o {folder})")
        return EXIT_INVALID if different else EXIT_OK
    for path in write(spec, folder):
        print(f"wrote {path}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    from ._diff import diff_specs, render
    from .._spec._document import Spec

    changes = diff_specs(Spec.load(args.old), Spec.load(args.new))
    breaking = any(change.breaking for change in changes)
    if args.json:
        document = {"old": args.old, "new": args.new, "breaking": breaking, "changes": [c.to_dict() for c in changes]}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(render(changes, args.old, args.new))
    return EXIT_INVALID if breaking else EXIT_OK
