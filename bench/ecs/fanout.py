#!/usr/bin/env python3
"""The ECS fan-out benchmark: run N tasks and wait until all stopped, with ecsh, the AWS
CLI and boto3, against moto on loopback; writes its section of bench/RESULTS.md.

    python3 bench/ecs/fanout.py --ecsh PATH [--runs K] [--ns 1,10,100,500] [--big 1000]
                                [--state-seconds S] [--output FILE] [--quick]

Run by `scripts/bench --ecs`, which installs the AWS CLI, boto3, moto and GNU time first.
Each run: moto reset, the time-based task clock set (bench/ecs/moto_timed.py: a task
stops 4 x S seconds after RunTask created it, polled or not), a cluster, a FARGATE task
definition and moto's default subnet and security group made directly on moto; then the
tool runs under GNU time against the counting proxy (bench/ecs/count_proxy.py), whose
records give the calls by kind, the DescribeTasks rounds, and when the last task was
first seen STOPPED. A run counts only when the tool exited 0 and every task it started
was seen STOPPED by it.
"""
import argparse
import datetime
import json
import math
import os
import platform
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REGION = "us-east-1"
CLUSTER = "bench"
FAMILY = "bench"
BEGIN, END = "<!-- ecs-fanout:begin -->", "<!-- ecs-fanout:end -->"
STATES_TO_STOP = 4          # moto: RUNNING -> DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED
ROUND_GAP = 0.25            # s between DescribeTasks calls that starts a new poll round
DETECT_TARGET = 1.0         # s
RSS_TARGET_MB = 64

TASK_DEFINITION = {
    "family": FAMILY, "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
    "cpu": "256", "memory": "512",
    "containerDefinitions": [{"name": "app", "image": "busybox", "memory": 128, "essential": True,
                              "command": ["sh", "-c", "sleep 5"]}],
}


def log(*a):
    print("ecs-bench:", *a, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(url, data=None, timeout=30):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


class Servers:
    """moto (with the time-based task clock) and the counting proxy, ours to stop."""

    def __init__(self, workdir):
        self.procs = []
        port = free_port()
        self.moto = f"http://127.0.0.1:{port}"
        self.moto_log = open(os.path.join(workdir, "moto.log"), "w")
        self.procs.append(subprocess.Popen(
            [sys.executable, os.path.join(HERE, "moto_timed.py"), "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=self.moto_log, stderr=subprocess.STDOUT))
        deadline = time.time() + 30
        while True:
            try:
                http(self.moto + "/moto-api/", timeout=2)
                break
            except OSError:
                if time.time() > deadline or self.procs[0].poll() is not None:
                    raise SystemExit(f"moto did not start; see {self.moto_log.name}")
                time.sleep(0.2)
        proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "count_proxy.py"),
                                  "--upstream", self.moto], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, text=True)
        self.procs.append(proxy)
        self.proxy = f"http://127.0.0.1:{proxy.stdout.readline().strip()}"

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    def prepare(self, seconds):
        """A fresh moto: the task clock, a cluster, the task definition, a subnet and group."""
        http(self.moto + "/moto-api/reset", b"")
        http(self.moto + "/moto-api/state-manager/set-transition", json.dumps(
            {"model_name": "ecs::task", "transition": {"progression": "time", "seconds": seconds}}).encode())
        kw = dict(endpoint_url=self.moto, region_name=REGION,
                  aws_access_key_id="bench", aws_secret_access_key="bench")
        ecs, ec2 = boto3.client("ecs", **kw), boto3.client("ec2", **kw)
        ecs.create_cluster(clusterName=CLUSTER)
        td = ecs.register_task_definition(**TASK_DEFINITION)["taskDefinition"]
        subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
        group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
        http(self.proxy + "/_bench/reset", b"")
        return f"{td['family']}:{td['revision']}", subnet, group

    def events(self):
        return json.loads(http(self.proxy + "/_bench/events"))


def commands(tool, ecsh, endpoint, taskdef, subnet, group, n):
    if tool == "ecsh":
        return [ecsh, "run", "--endpoint-url", endpoint, "--region", REGION, "--cluster", CLUSTER,
                "--task-definition", taskdef, "--launch-type", "FARGATE", "--network-configuration",
                f"awsvpcConfiguration={{subnets=[{subnet}],securityGroups=[{group}]}}",
                "--count", str(n), "--wait"]
    if tool == "aws":
        return ["bash", os.path.join(HERE, "aws_fanout.sh"), endpoint, CLUSTER, taskdef, subnet, group, str(n)]
    return [sys.executable, os.path.join(HERE, "boto3_fanout.py"), endpoint, CLUSTER, taskdef, subnet, group,
            str(n)]


def shown(argv, proxy, n):
    """A command as the report shows it: placeholders for what changes from run to run."""
    out = []
    for a in argv[:-1] + ["$N" if argv[-1] == str(n) else argv[-1]]:
        a = a.replace(proxy, "$P").replace(ROOT + os.sep, "")
        if a == sys.executable:
            a = "python3"
        out.append(a)
    if out[0] != "bash" and "python3" not in out[0]:
        net = next(i for i, a in enumerate(out) if a == "--network-configuration") + 1
        out[net] = "awsvpcConfiguration={subnets=[$SUBNET],securityGroups=[$SG]}"
        count = out.index("--count") + 1
        out[count] = "$N"
    else:                                     # aws and boto3: positional
        out[-3], out[-2] = "$SUBNET", "$SG"
    return out


def client_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # The real interpreter's directory first: `aws` without a version manager's shim.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update(HOME=home, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION=REGION,
               AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="",
               AWS_CONFIG_FILE=os.path.join(home, "none"), AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "none"))
    return env


def analyse(events, n, t_start, t_end, seconds):
    """Calls by kind, poll rounds, and detection of the last stop, from the proxy's records."""
    calls = {}
    for e in events:
        calls[e["op"]] = calls.get(e["op"], 0) + 1
    launched, true_stop, seen_stopped = {}, {}, {}
    for e in sorted(events, key=lambda e: e["t1"]):
        if e["op"] == "RunTask":
            for arn, _, created, _ in e.get("tasks", []):
                launched[arn] = e["t1"]
                true_stop.setdefault(arn, created + STATES_TO_STOP * seconds if created else None)
        elif e["op"] == "DescribeTasks":
            for arn, status, _, stopped in e.get("tasks", []):
                if status == "STOPPED":
                    if stopped:
                        true_stop[arn] = stopped
                    seen_stopped.setdefault(arn, e["t1"])
    problems = []
    if len(launched) != n:
        problems.append(f"{len(launched)} tasks started, not {n}")
    unseen = [a for a in launched if a not in seen_stopped or seen_stopped[a] > t_end]
    if unseen:
        problems.append(f"{len(unseen)} tasks never seen STOPPED by the tool")
    # Poll rounds: DescribeTasks calls closer together than ROUND_GAP belong to one round.
    describes = sorted((e for e in events if e["op"] == "DescribeTasks"), key=lambda e: e["t0"])
    rounds, last_t1 = [], None
    for e in describes:
        if last_t1 is None or e["t0"] > last_t1 + ROUND_GAP:
            rounds.append([])
        rounds[-1].append(e)
        last_t1 = e["t1"] if last_t1 is None else max(last_t1, e["t1"])
    round_rows = []
    for r in rounds:
        start = r[0]["t0"]
        live = sum(1 for a, t in launched.items() if t <= start and not seen_stopped.get(a, math.inf) <= start)
        asked = sum(len(e.get("asked", [])) for e in r)
        round_rows.append(dict(calls=len(r), live=live, allowed=max(1, math.ceil(live / 100)), asked=asked,
                               at=start - t_start, took=max(e["t1"] for e in r) - start,
                               busy=sum(e["t1"] - e["t0"] for e in r)))
    stops = [t for t in true_stop.values() if t is not None]
    last_stop = max(stops) if stops else None
    detected = max(seen_stopped.values()) if seen_stopped else None
    return dict(
        calls=calls, runtask=calls.get("RunTask", 0), describe=calls.get("DescribeTasks", 0),
        rounds=round_rows, problems=problems,
        detect=None if last_stop is None or detected is None else detected - last_stop,
        exit_after_stop=None if last_stop is None else t_end - last_stop,
        last_stop_after_start=None if last_stop is None else last_stop - t_start,
        launched_after_start=max(launched.values()) - t_start if launched else None,
    )


def run_once(servers, tool, ecsh, n, seconds, workdir, timeout):
    taskdef, subnet, group = servers.prepare(seconds)
    argv = commands(tool, ecsh, servers.proxy, taskdef, subnet, group, n)
    rss_file = os.path.join(workdir, "rss")
    out_file = os.path.join(workdir, f"{tool}-{n}.out")
    home = os.path.join(workdir, "home")
    os.makedirs(home, exist_ok=True)
    with open(out_file, "w") as out:
        t_start, c0 = time.time(), time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=subprocess.STDOUT, env=client_env(home), cwd=workdir,
                             start_new_session=True)
        try:
            code = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)        # GNU time and the tool under it
            code = p.wait()
            code = f"timed out after {timeout} s ({code})"
        wall, t_end = time.perf_counter() - c0, time.time()
    # The proxy records a call just after writing its answer: on a loaded machine, a while after.
    time.sleep(0.3)
    events = servers.events()
    result = analyse(events, n, t_start, t_end, seconds)
    if result["problems"]:
        time.sleep(2)
        events = servers.events()
        result = analyse(events, n, t_start, t_end, seconds)
    if result["problems"] or code != 0:
        # The proxy's records of a run that did not count, kept to find out why.
        kept = os.path.join(tempfile.gettempdir(), f"ecsh-ecs-bench-{tool}-{n}-{int(t_start)}.json")
        with open(kept, "w") as f:
            json.dump(dict(t_start=t_start, t_end=t_end, exit=code, events=events), f)
        shutil.copy(out_file, kept[:-5] + ".out")
        result["problems"].append(f"records kept in {kept}")
    result["wall"] = wall
    try:
        with open(rss_file) as f:
            result["rss_kb"] = int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        result["rss_kb"] = None
    if code != 0:
        with open(out_file) as f:
            tail = " / ".join(f.read().strip().splitlines()[-3:])[:300]
        result["problems"].insert(0, f"exit {code}: {tail}")
    return result, argv


# ------------------------------------------------------------------ report

def fmt_s(x):
    return "—" if x is None else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception:
        return ""


def first_line(s):
    return s.splitlines()[0] if s else "unknown"


def report(results, argvs, args, started, load_before, ecsh_desc):
    """The ECS section of RESULTS.md, between the markers."""
    L = [BEGIN, "## ECS fan-out: ecsh, the AWS CLI and boto3\n"]
    L.append(f"Written by `scripts/bench --ecs`{' `--quick`' if args.quick else ''}"
             f" (`bench/ecs/fanout.py`); run it again to refresh. Each tool runs N tasks and waits until"
             f" all have stopped, against moto on loopback through a counting proxy; {args.runs} run(s)"
             f" per tool and N, interleaved. Wall time: the whole process (start-up included) from start"
             f" to exit. Each task stops {STATES_TO_STOP} × {args.state_seconds:g} s ="
             f" {STATES_TO_STOP * args.state_seconds:g} s after RunTask created it (moto's time-based"
             f" transitions with a clock per task, `bench/ecs/moto_timed.py`; see NOTES below).\n")
    aws_ver = first_line(sh(f"PATH={shlex.quote(os.path.dirname(sys.executable))}:$PATH aws --version 2>&1"))
    L.append(f"- Date: {started} (load average before: {load_before})")
    L.append(f"- Machine: {sh('uname -srm')}, {os.cpu_count()} CPUs, shared with other work")
    L.append(f"- ecsh: {ecsh_desc}")
    moto_ver = sh(f"{shlex.quote(sys.executable)} -c 'import moto; print(moto.__version__)'")
    L.append(f"- {aws_ver}; boto3 {boto3.__version__}; moto {moto_ver};"
             f" Python {platform.python_version()} (`{sys.executable}`)")
    L.append("")

    tools = ["ecsh", "aws", "boto3"]
    label = {"ecsh": "ecsh", "aws": "aws cli", "boto3": "boto3"}

    def ok_runs(tool, n):
        return [r for r in results.get((tool, n), []) if not r["problems"]]

    targets = []
    L.append("### Wall time, calls and memory\n")
    L.append("Median over the runs that completed (min–max in brackets). Ratios are ecsh's median over"
             " the other's: below 1.00× ecsh is faster. Calls are per run (median). Detection: from the"
             " last task's true stop time to the proxy's answer that first showed it STOPPED to the"
             " tool (median, max). RSS: GNU time's peak (for the AWS CLI: its largest process).\n")
    L.append("| N | tool | wall time | ecsh / tool | RunTask | DescribeTasks | other calls | detection | exit after last stop | peak RSS |")
    L.append("|---:|---|---|---:|---:|---:|---|---|---|---:|")
    ns = sorted({n for (_, n) in results})
    for n in ns:
        e_med = med(r["wall"] for r in ok_runs("ecsh", n))
        for tool in tools:
            runs = results.get((tool, n))
            if runs is None:
                continue
            good = ok_runs(tool, n)
            if not good:
                L.append(f"| {n} | {label[tool]} | failed: {runs[0]['problems'][0].replace('|', '/')} | | | | | | | |")
                continue
            walls = [r["wall"] for r in good]
            ratio = f"{e_med / med(walls):.2f}×" if tool != "ecsh" and e_med else ""
            others = {}
            for r in good:
                for op, c in r["calls"].items():
                    if op not in ("RunTask", "DescribeTasks"):
                        others.setdefault(op, []).append(c)
            other = ", ".join(f"{op} {med(cs):g}" for op, cs in sorted(others.items())) or "none"
            det = [r["detect"] for r in good]
            ex = [r["exit_after_stop"] for r in good]
            rss = [r["rss_kb"] / 1024 for r in good if r["rss_kb"]]
            failed = len(runs) - len(good)
            L.append(f"| {n} | {label[tool]}{f' ({failed} failed)' if failed else ''} | {fmt_s(med(walls))}"
                     f" ({fmt_s(min(walls))}–{fmt_s(max(walls))}) | {ratio} | {med(r['runtask'] for r in good):g}"
                     f" | {med(r['describe'] for r in good):g} | {other} | {fmt_s(med(det))}, {fmt_s(max(det))}"
                     f" | {fmt_s(med(ex))} | {med(rss):.0f} MB |")
    L.append("")

    L.append("### ecsh's DescribeTasks rounds\n")
    L.append(f"A round: DescribeTasks calls less than {ROUND_GAP} s apart. Live: tasks started and not yet"
             " seen STOPPED when the round began. Allowed: ceil(live / 100), at least 1. Longest round: from"
             " its first call to its last answer.\n")
    L.append("| N | rounds (median) | calls per round (max) | live at the busiest round | worst calls − allowed | tasks asked per round (max) | longest round |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|")
    for n in ns:
        good = ok_runs("ecsh", n)
        if not good:
            continue
        rows = [row for r in good for row in r["rounds"]]
        if not rows:
            continue
        busiest = max(rows, key=lambda row: (row["calls"], row["live"]))
        L.append(f"| {n} | {med(len(r['rounds']) for r in good):g} | {busiest['calls']} | {busiest['live']}"
                 f" | {max(row['calls'] - row['allowed'] for row in rows):+d} | {max(row['asked'] for row in rows)}"
                 f" | {fmt_s(max(row['took'] for row in rows))} |")
    L.append("")

    for n in ns:
        good = ok_runs("ecsh", n)
        if ("ecsh", n) not in results:
            continue
        if not good:
            targets.append((f"N={n}: ecsh completed", "every run failed", False))
            continue
        minimum = math.ceil(n / 10)
        rts = sorted({r["runtask"] for r in good})
        targets.append((f"N={n}: minimum RunTask calls ({minimum})", ", ".join(map(str, rts)), rts == [minimum]))
        worst = max((row["calls"] - row["allowed"] for r in good for row in r["rounds"]), default=0)
        targets.append((f"N={n}: DescribeTasks per round ≤ ceil(live/100)",
                        f"worst round {worst:+d} call(s) against the allowance", worst <= 0))
        det = [r["detect"] for r in good if r["detect"] is not None]
        if det:
            targets.append((f"N={n}: last stop detected within {DETECT_TARGET:g} s",
                            f"median {fmt_s(med(det))}, max {fmt_s(max(det))}", max(det) <= DETECT_TARGET))
        e_med = med(r["wall"] for r in good)
        for tool in ("aws", "boto3"):
            if (tool, n) not in results:
                continue
            o = ok_runs(tool, n)
            if not o:
                targets.append((f"N={n}: faster than {label[tool]}", f"{label[tool]} failed", None))
                continue
            o_med = med(r["wall"] for r in o)
            targets.append((f"N={n}: faster than {label[tool]}", f"{fmt_s(e_med)} vs {fmt_s(o_med)}"
                            f" ({e_med / o_med:.2f}×)", e_med < o_med))
        if n == args.big:
            rss = max(r["rss_kb"] for r in good) / 1024
            targets.append((f"N={n}: peak RSS under {RSS_TARGET_MB} MB", f"{rss:.1f} MB (max)", rss < RSS_TARGET_MB))
    L.append("### Targets\n")
    L.append("Informational: a MISS never fails the run. Detection is judged on every run (the max).\n")
    L.append("| target | measured | result |")
    L.append("|---|---|---|")
    for what, measured, ok in targets:
        L.append(f"| {what} | {measured} | {'n/a' if ok is None else 'PASS' if ok else 'MISS'} |")
    L.append("")

    bad = [(k, p) for k, runs in results.items() for r in runs for p in r["problems"][:1]]
    if bad:
        L.append("Runs that did not count:\n")
        for (tool, n), p in bad:
            L.append(f"- {label[tool]}, N={n}: {p}")
        L.append("")

    L.append("Commands, from the repository root (`$P` is the proxy's endpoint, `$SUBNET` and"
             " `$SG` moto's default subnet and security group):\n")
    L.append("```")
    for tool in tools:
        if tool in argvs:
            L.append(" ".join(f'"{a}"' if "$" in a else shlex.quote(a) for a in argvs[tool]))
    L.append("```")
    L.append(END)
    return "\n".join(L)


def splice(output, section):
    """Puts the section between the markers, or before the notes, keeping everything else."""
    text = open(output).read() if os.path.exists(output) else "# ecsh benchmark results\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        notes_at = text.find("\n## Reading the figures")
        if notes_at < 0:
            text = text.rstrip() + "\n\n" + section + "\n"
        else:
            text = text[:notes_at].rstrip() + "\n\n" + section + "\n" + text[notes_at:]
    # The team's reading of the figures (bench/NOTES.md) closes the report: carry its latest text.
    notes = os.path.join(os.path.dirname(os.path.abspath(output)), "NOTES.md")
    if os.path.exists(notes):
        with open(notes) as f:
            note_text = f.read().rstrip()
        heading = "\n" + note_text.splitlines()[0] if note_text else ""
        at = text.rfind(heading) if heading else -1
        if at > text.find(END):
            text = text[:at].rstrip() + "\n\n" + note_text + "\n"
    with open(output, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ecsh", required=True)
    ap.add_argument("--ecsh-desc", default="")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ns", default="1,10,100,500")
    ap.add_argument("--big", type=int, default=1000, help="the ecsh-only N (0: none)")
    ap.add_argument("--tools", default="ecsh,aws,boto3")
    ap.add_argument("--state-seconds", type=float, default=2.0)
    ap.add_argument("--timeout", type=int, default=1200)
    ap.add_argument("--output", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    ecsh = os.path.abspath(args.ecsh)
    tools = [t for t in args.tools.split(",") if t]
    ns = [int(x) for x in args.ns.split(",") if x]
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])
    plan = [(n, tools) for n in ns] + ([(args.big, ["ecsh"])] if args.big and "ecsh" in tools else [])

    results, argvs = {}, {}
    with tempfile.TemporaryDirectory(prefix="ecsh-ecs-bench.") as workdir:
        servers = Servers(workdir)
        try:
            for n, ts in plan:
                for k in range(args.runs):
                    for tool in ts:
                        r, argv = run_once(servers, tool, ecsh, n, args.state_seconds, workdir, args.timeout)
                        results.setdefault((tool, n), []).append(r)
                        argvs.setdefault(tool, shown(argv, servers.proxy, n))
                        log(f"N={n} run {k + 1}/{args.runs} {tool}: {r['wall']:.2f} s,"
                            f" RunTask {r['runtask']}, DescribeTasks {r['describe']},"
                            f" detect {fmt_s(r['detect'])}, RSS {r['rss_kb']} KB"
                            + (f"; PROBLEM: {r['problems']}" if r["problems"] else ""))
        finally:
            servers.stop()
    ecsh_desc = args.ecsh_desc or f"`{args.ecsh}`"
    section = report(results, argvs, args, started, load_before, ecsh_desc)
    splice(args.output, section)
    raw = os.path.join(tempfile.gettempdir(), "ecsh-ecs-bench.json")
    with open(raw, "w") as f:
        json.dump({f"{t}:{n}": rs for (t, n), rs in results.items()}, f)
    log(f"wrote {args.output} (raw runs: {raw})")


if __name__ == "__main__":
    main()
