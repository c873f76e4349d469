#!/usr/bin/env python3
"""Gavel benchmark: build a synthetic site of N courts x M notices with Gavel (and Hugo, and the
cmark-gfm floor) and compare the figures with Gavel's performance targets.

Python 3.11 standard library only. Run from anywhere:  python3 bench/run.py [--help]
A benchmark, not a test: it exits 0 whatever the figures are, and non-zero only if a build fails.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / "work"
SEED = "gavel-bench-1"
CMARK_EXTENSIONS = ["-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter", "-e", "tasklist"]
# Gavel's renderer turns on smart punctuation (CMARK_OPT_SMART), so the floor does the same work.
CMARK_ARGS = CMARK_EXTENSIONS + ["--smart"]
SCALING_SIZES = [1_000, 10_000, 50_000]
# What Gavel keeps beside an output folder for incremental builds.
GAVEL_SIDE_FILES = ["gavel-cache", "gavel-notices", "gavel-lock"]

# Targets, as ratios (measured / reference), all "lower is better".
TARGET_WALL_VS_HUGO = 0.15
TARGET_RSS_VS_HUGO = 0.05
TARGET_CPU_VS_CMARK = 2.0
TARGET_NOOP = 0.05
TARGET_ONE_CHANGE = 0.10
TARGET_SCALE_TIME = 5.5
TARGET_SCALE_RSS = 1.5
TARGET_SEARCH_FIRST_QUERY = 300_000  # bytes of index a first query loads
TARGET_SERVE_RELOAD_MS = 300
# Queries for the search figures: words found in nearly every entry, in some, in few, and phrases.
SEARCH_QUERIES = ["nextgen", "court", "pacer account", "link accounts", "filing agents", "training webinar",
                  "Reminder: link your accounts after go-live", "avalon", "pro hac vice", "emergency filings",
                  "downtime", "zzqx"]


class BuildFailed(Exception):
    pass


def say(*parts: object) -> None:
    print(*parts, flush=True)


# --------------------------------------------------------------------------------------------
# Measuring a child process

@dataclass
class Run:
    wall: float      # seconds
    cpu: float       # user + sys seconds
    user: float
    sys: float
    rss_kib: int     # peak resident set size of the child
    stdout: str = ""

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024


def measure(argv: list[str], label: str, cwd: Path | None = None, capture: bool = True) -> Run:
    """Runs argv in a fresh process and returns its wall time, CPU time and peak RSS (from wait4)."""
    out_path = WORK / ".last-stdout"
    err_path = WORK / ".last-stderr"
    if hasattr(os, "sync"):
        os.sync()  # flush the previous run's writes so their write-back is not charged to this one
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=out if capture else subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # we reaped it ourselves
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    if proc.returncode != 0:
        how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
        say(f"\n{label} FAILED ({how}): {' '.join(argv)}")
        shown = (stdout + stderr).strip().splitlines()
        for line in shown[:60]:
            say("  " + line)
        if len(shown) > 60:
            say(f"  ... {len(shown) - 60} more lines")
        raise BuildFailed(label)
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, user=usage.ru_utime,
               sys=usage.ru_stime, rss_kib=rss, stdout=stdout + stderr)


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def med(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)

    def spread(self, attr: str) -> tuple[float, float]:
        values = [getattr(r, attr) for r in self.runs]
        return min(values), max(values)

    def summary(self) -> dict:
        return {
            "runs": len(self.runs),
            "wall_s": self.med("wall"), "cpu_s": self.med("cpu"),
            "user_s": self.med("user"), "sys_s": self.med("sys"),
            "peak_rss_kib": int(self.med("rss_kib")),
            "wall_s_all": [round(r.wall, 4) for r in self.runs],
            "cpu_s_all": [round(r.cpu, 4) for r in self.runs],
            "peak_rss_kib_all": [r.rss_kib for r in self.runs],
        }


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def describe(name: str, s: Series) -> str:
    lo, hi = s.spread("wall")
    return (f"  {name:<26} wall {fmt_s(s.med('wall')):>9} (min {fmt_s(lo)}, max {fmt_s(hi)})   "
            f"cpu {fmt_s(s.med('cpu')):>9} (user {fmt_s(s.med('user'))}, sys {fmt_s(s.med('sys'))})   "
            f"peak RSS {s.med('rss_kib') / 1024:7.1f} MiB")


GAVEL_SUMMARY = re.compile(r"built (\d+) files .*?\((\d+) written, (\d+) unchanged, (\d+) removed\)")


def gavel_counts(run: Run) -> dict | None:
    m = GAVEL_SUMMARY.search(run.stdout)
    if not m:
        return None
    return dict(zip(["files", "written", "unchanged", "removed"], map(int, m.groups())))


# --------------------------------------------------------------------------------------------
# The synthetic content

TIMEZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
             "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"]
TZ_NAMES = {"America/New_York": "Eastern", "America/Chicago": "Central", "America/Denver": "Mountain",
            "America/Phoenix": "Mountain", "America/Los_Angeles": "Pacific",
            "America/Anchorage": "Alaska", "Pacific/Honolulu": "Hawaii-Aleutian"}
KINDS = ["district", "bankruptcy", "district", "bankruptcy", "appellate", "district", "bankruptcy"]
REGIONS = ["Northern", "Southern", "Eastern", "Western", "Middle", "Central"]
PLACES = ["Avalon", "Brightwater", "Cedar Falls", "Dunmore", "Elkridge", "Fairhaven", "Glenrock",
          "Harbor City", "Ironwood", "Juniper", "Kingsport", "Lakeshore", "Maple Ridge", "Northfield",
          "Oakdale", "Pine Bluff", "Queensbury", "Riverton", "Stonebridge", "Timberline",
          "Union Springs", "Valley Forge", "Westbrook", "Yellow Pine"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TAGS = ["nextgen", "downtime", "go-live", "training", "preparation", "pacer", "filing-agents",
        "pro-hac-vice", "local-rules", "contacts", "holidays", "new-filers"]
EXTERNAL = [
    ("PACER's NextGen page", "https://pacer.uscourts.gov/file-case/get-ready-nextgen-cmecf"),
    ("the PACER FAQ", "https://pacer.uscourts.gov/help/faqs"),
    ("the CM/ECF overview", "https://www.uscourts.gov/court-records/electronic-filing-cmecf"),
    ("the PACER Service Center", "https://pacer.uscourts.gov/contact-us"),
    ("the Federal Rules of Civil Procedure", "https://www.uscourts.gov/rules-policies/current-rules-practice-procedure"),
    ("the judiciary's news page", "https://www.uscourts.gov/news"),
]
TOPICS = [
    "The court moves to NextGen CM/ECF", "E-filing unavailable during the upgrade",
    "Free NextGen training for filers", "Upgrade legacy PACER accounts now",
    "Clerk's office hours during the transition", "Filing agents under NextGen",
    "Pro hac vice admission after NextGen", "Amended local rules on electronic filing",
    "Changes to notices of electronic filing", "Holiday closing and emergency filings",
    "New e-filer registration through PACER", "Reminder: link your accounts after go-live",
]
HEADINGS = [
    "What is changing", "What you need to do", "Before go-live", "On or after go-live",
    "During the downtime", "Emergency filings", "Who is affected", "Key dates",
    "Training and help", "Filing agents and staff", "Frequently asked questions", "Contacts",
    "Deadlines that fall in the window", "Accounts shared by a firm", "After the upgrade",
]
SENTENCES = [
    "Electronic filing in this court moves to *NextGen CM/ECF* with **Central Sign-On**.",
    "From go-live, you file here with your **individual** PACER username and password.",
    "A shared firm account cannot be used to file; every filer needs an account of their own.",
    "Accounts opened before *August 11, 2014* must be upgraded once, and the upgrade counts for every court.",
    "Find your current CM/ECF login for this court now: saved browser passwords are often lost in the move.",
    "Linking is possible only **on or after** go-live; trying earlier produces an error.",
    "If you are locked out of your account, call the clerk's office well before the deadline.",
    "Staff who file for an attorney need their own PACER account and must be added as *filing agents*.",
    "Attorneys appearing *pro hac vice* request e-filing rights through PACER after go-live.",
    "The court will treat the system as unavailable for any deadline that falls inside the window.",
    "Viewing dockets may be slow, or unavailable now and then, while records are copied.",
    "Nothing you enter in the checklist leaves your browser; it works offline too.",
    "Questions about PACER billing and registration go to the PACER Service Center, not the court.",
    "Paper filings are accepted at the intake counter only when a filing cannot wait.",
    "Notices of electronic filing will come from a new address; add it to your safe-senders list.",
    "The upgrade does not change your case numbers, your dockets or your filing fees.",
    "Training sessions are free and recorded; slides are sent to everyone who registers.",
    "Creditors, trustees and other limited filers follow the same steps as attorneys.",
    "Keep your e-mail address in PACER current: that is where notices will be sent after the move.",
    "Each attorney links once per court; the link then stays in place for later filings.",
]
SHORT_SENTENCES = [
    "Plan ahead.", "Thank you for your patience.", "The court is closed on federal holidays.",
    "Please share this notice with your staff.", "Details follow below.",
    "This notice replaces earlier guidance.", "No action is needed by the public.",
]
TABLE_HEADERS = [("Event", "Day and time"), ("Filer", "Before go-live", "After go-live"),
                 ("Office", "Phone", "Hours"), ("Item", "Details")]


def long_date(y: int, m: int, d: int) -> str:
    import datetime
    wd = DAYS[datetime.date(y, m, d).weekday()]
    return f"{wd}, {MONTHS[m - 1]} {d}, {y}"


def am_pm(h: int, minute: int = 0) -> str:
    suffix = "a.m." if h < 12 else "p.m."
    hh = h if 1 <= h <= 12 else (h - 12 if h > 12 else 12)
    return f"{hh}:{minute:02d} {suffix}"


@dataclass
class Court:
    id: str
    name: str
    short_name: str
    kind: str
    timezone: str
    go_live: tuple[int, int, int, int]  # y, m, d, hour
    contacts: list[dict]
    downtime: list[dict]

    def variables(self) -> dict[str, str]:
        y, m, d, h = self.go_live
        return {"court.name": self.name, "court.short_name": self.short_name,
                "court.go_live": f"{long_date(y, m, d)}, at {am_pm(h)} {TZ_NAMES[self.timezone]} Time",
                "court.contacts.0.phone": self.contacts[0]["phone"],
                "court.contacts.0.email": self.contacts[0]["email"]}


def make_court(index: int) -> Court:
    import datetime
    rnd = random.Random(f"{SEED}/court/{index}")
    cid = f"c{index:04d}"
    kind = KINDS[index % len(KINDS)]
    place = PLACES[index % len(PLACES)]
    region = REGIONS[(index // len(PLACES)) % len(REGIONS)]
    if kind == "appellate":
        name = f"United States Court of Appeals for the {place} Circuit ({index})"
        short = f"{place} Cir. {index}"
    elif kind == "bankruptcy":
        name = f"United States Bankruptcy Court for the {region} District of {place} ({index})"
        short = f"Bankr. {region[0]}.D. {place} {index}"
    else:
        name = f"United States District Court for the {region} District of {place} ({index})"
        short = f"{region[0]}.D. {place} {index}"
    tz = TIMEZONES[index % len(TIMEZONES)]
    go = datetime.date(2019, 1, 7) + datetime.timedelta(days=rnd.randrange(0, 4 * 365))
    while go.weekday() != 0:  # go-live on a Monday
        go += datetime.timedelta(days=1)
    hour = rnd.choice([8, 8, 9, 10])
    area = 200 + index % 790
    contacts = []
    for k, label in enumerate(["Clerk's Office, CM/ECF Help Desk", f"Clerk's Office, {place}"][:rnd.choice([1, 2])]):
        contacts.append({"label": label, "phone": f"({area}) 555-{(index * 7 + k * 13) % 10000:04d}",
                         "email": f"{cid}-ecf-{k + 1}@example.gov",
                         "hours": f"Monday to Friday, 8:30 a.m. to 4:30 p.m. {TZ_NAMES[tz]} Time"})
    start = go - datetime.timedelta(days=3)
    downtime = [{"title": "CM/ECF filing unavailable during the move to NextGen",
                 "start": f"{start.isoformat()}T16:30", "end": f"{go.isoformat()}T{hour:02d}:00"}]
    if rnd.random() < 0.4:
        test = go - datetime.timedelta(days=16)  # a Saturday-morning practice run
        downtime.insert(0, {"title": "Practice run: CM/ECF unavailable for a system test",
                            "start": f"{test.isoformat()}T09:00", "end": f"{test.isoformat()}T12:00"})
    return Court(cid, name, short, kind, tz, (go.year, go.month, go.day, hour), contacts, downtime)


def yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def court_yaml(court: Court, checklist: list[str]) -> str:
    y, m, d, h = court.go_live
    lines = [f"id: {court.id}", f"name: {yaml_str(court.name)}", f"short_name: {yaml_str(court.short_name)}",
             f"kind: {court.kind}", f"timezone: {court.timezone}",
             f'go_live: "{y:04d}-{m:02d}-{d:02d}T{h:02d}:00"', "downtime:"]
    for w in court.downtime:
        lines += [f"  - title: {yaml_str(w['title'])}", f'    start: "{w["start"]}"', f'    end: "{w["end"]}"']
    lines.append("contacts:")
    for c in court.contacts:
        lines += [f"  - label: {yaml_str(c['label'])}", f"    phone: {yaml_str(c['phone'])}",
                  f"    email: {yaml_str(c['email'])}", f"    hours: {yaml_str(c['hours'])}"]
    lines.append("checklist:")
    lines += [f"  - {step}" for step in checklist]
    return "\n".join(lines) + "\n"


@dataclass
class Notice:
    court: str
    slug: str
    title: str
    date: str
    summary: str
    tags: list[str]
    body: str  # Markdown, may name {{court.…}} variables

    def gavel_file(self) -> str:
        fm = ["---", f"title: {yaml_str(self.title)}", f'date: "{self.date}"', f"summary: {yaml_str(self.summary)}",
              "tags:"] + [f"  - {t}" for t in self.tags] + ["---", "", ""]
        return "\n".join(fm) + self.body

    def hugo_file(self, variables: dict[str, str]) -> str:
        fm = ["+++", f"title = {json.dumps(self.title, ensure_ascii=False)}", f"date = {self.date}",
              f"summary = {json.dumps(self.summary, ensure_ascii=False)}",
              "tags = [" + ", ".join(json.dumps(t) for t in self.tags) + "]", "+++", "", ""]
        return "\n".join(fm) + fill(self.body, variables)


def fill(body: str, variables: dict[str, str]) -> str:
    return re.sub(r"\{\{(court\.[a-z0-9_.]+)\}\}", lambda m: variables[m.group(1)], body)


def make_notice(court: Court, index: int, total_courts: int) -> Notice:
    import datetime
    rnd = random.Random(f"{SEED}/notice/{court.id}/{index}")
    y, m, d, _ = court.go_live
    date = datetime.date(y, m, d) - datetime.timedelta(days=rnd.randrange(-120, 240))
    topic = TOPICS[(index + rnd.randrange(len(TOPICS))) % len(TOPICS)]
    title = f"{topic} (notice {index})"
    summary = rnd.choice(SENTENCES).replace("*", "")
    tags = sorted(rnd.sample(TAGS, rnd.choice([1, 2, 2, 3])))
    cid = court.id
    other = f"c{rnd.randrange(1, total_courts + 1):04d}"

    def link() -> str:
        r = rnd.random()
        if r < 0.25:
            return f"[the checklist for this court](/courts/{cid}/checklist/)"
        if r < 0.40:
            return f"[this court's NextGen page](/courts/{cid}/)"
        if r < 0.50:
            return "[the checklist for several courts](/checklist/)"
        if r < 0.60:
            return "[About NextGen](/about-nextgen/)"
        if r < 0.67:
            return f"[another court's page](/courts/{other}/)"
        text, url = rnd.choice(EXTERNAL)
        return f"[{text}]({url})"

    def paragraph(n: int | None = None) -> str:
        picked = rnd.sample(SENTENCES, n or rnd.randint(2, 4))
        if rnd.random() < 0.7:
            i = rnd.randrange(len(picked))
            picked[i] = picked[i].rstrip(".") + f"; see {link()}."
        if rnd.random() < 0.25:
            picked.append(rnd.choice(["Questions? Call {{court.contacts.0.phone}}.",
                                      "{{court.short_name}} goes live on {{court.go_live}}.",
                                      "This applies to everyone who files in {{court.name}}."]))
        return " ".join(picked)

    def ordered() -> str:
        items = rnd.sample(SENTENCES, rnd.randint(3, 5))
        return "\n".join(f"{k + 1}. {s}" for k, s in enumerate(items))

    def bullets() -> str:
        items = rnd.sample(SENTENCES, rnd.randint(2, 4))
        if rnd.random() < 0.5:
            items[0] = items[0].rstrip(".") + f" ({link()})."
        return "\n".join(f"- {s}" for s in items)

    def table() -> str:
        header = rnd.choice(TABLE_HEADERS)
        if header[0] == "Event":
            w = court.downtime[-1]
            (sy, sm, sd), (sh, smin) = map(int, w["start"][:10].split("-")), map(int, w["start"][11:].split(":"))
            rows = [("Filing stops", f"{long_date(sy, sm, sd)}, {am_pm(sh, smin)}"),
                    ("Filing resumes on NextGen", "{{court.go_live}}"),
                    ("Training webinar", f"{long_date(date.year, date.month, min(date.day, 28))}, {am_pm(10)}"),
                    ("Help desk extended hours", f"until {am_pm(18)} the week of go-live")]
        elif header[0] == "Filer":
            rows = [("Attorney with a CM/ECF account here", "Individual PACER account, upgraded", "Link accounts"),
                    ("Paralegal or assistant", "Get your own PACER account", "Be added as a *filing agent*"),
                    ("Trustee or creditor filer", "Same as attorneys", "Link accounts"),
                    ("Someone new to this court", "Individual PACER account", "Register through PACER"),
                    ("Attorney *pro hac vice*", "Individual PACER account", "Request filing rights")]
        elif header[0] == "Office":
            rows = [(c["label"], c["phone"], c["hours"]) for c in court.contacts]
            rows.append(("PACER Service Center", "(800) 676-6856", "Monday to Friday, 8 a.m. to 6 p.m. Central Time"))
        else:
            rows = [("Date", long_date(date.year, date.month, min(date.day, 28))),
                    ("Time", f"{am_pm(10)} to {am_pm(11)} {TZ_NAMES[court.timezone]} Time"),
                    ("Where", "Online; the joining link is sent after you register"),
                    ("Cost", "Free"), ("Recording", f"Posted on {link()}")]
        rows = rows[:rnd.randint(2, len(rows))]
        return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
                         + ["| " + " | ".join(r) + " |" for r in rows])

    target = rnd.randint(1150, 2850)  # the whole file, front matter included
    head = len(Notice(cid, "", title, date.isoformat(), summary, tags, "").gavel_file().encode())
    blocks = [paragraph()]
    size = head + len(blocks[0].encode()) + 2
    for _ in range(40):
        if size >= target - 120:
            break
        kind = rnd.random()
        if kind < 0.30:
            candidate = [f"## {rnd.choice(HEADINGS)}", paragraph()]
        elif kind < 0.50 and not blocks[-1].startswith("1. "):
            candidate = [ordered()]
        elif kind < 0.65:
            candidate = [table()]
        elif kind < 0.80 and not blocks[-1].startswith("- "):
            candidate = [bullets()]
        else:
            candidate = [paragraph(1)]
        extra = sum(len(b.encode()) + 2 for b in candidate)
        if size + extra <= target:
            blocks += candidate
            size += extra
    while size < 1100:
        s = rnd.choice(SHORT_SENTENCES)
        blocks.append(s)
        size += len(s.encode()) + 2
    closing = f"Use {link()} to see which steps you still need."
    if size + len(closing) + 2 <= 3000:
        blocks.append(closing)
    return Notice(cid, f"n{index:04d}", title, date.isoformat(), summary, tags, "\n\n".join(blocks) + "\n")


def wiwb_checklist() -> list[str]:
    """The steps every generated court lists: the standard NextGen steps and the court notice, fixed
    here (not read from the example's wiwb, whose checklist follows its court's page) so that figures
    stay comparable from one version of the example to the next."""
    steps = ["read-court-notice", "individual-pacer-account", "upgrade-legacy-account", "know-cmecf-login", "link-accounts"]
    known = {p.stem for p in (REPO / "Content/steps").glob("*.md")}
    missing = [s for s in steps if s not in known]
    if missing:
        raise SystemExit(f"bench: the repository's steps lack {missing}")
    return steps


HUGO_CONFIG = """\
baseURL = "https://nextgen.example.gov/"
languageCode = "en-US"
title = "NextGen CM/ECF Readiness"
disableKinds = ["taxonomy", "term"]
enableRobotsTXT = true

[outputs]
  home = ["HTML", "RSS"]
  section = ["HTML", "RSS"]

[sitemap]
  changefreq = "weekly"
  filename = "sitemap.xml"
"""

HUGO_SHELL_HEAD = """\
<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} | {{ site.Title }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Title }}{{ end }}">
<link rel="stylesheet" href="/site.css">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">{{ end }}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><p class="site"><a href="/">{{ site.Title }}</a></p>
<nav aria-label="Main"><ul>
<li><a href="/">Home</a></li><li><a href="/checklist/">Checklist</a></li><li><a href="/about-nextgen/">About NextGen</a></li>
<li><a href="/central-sign-on/">Central Sign-On</a></li><li><a href="/faq/">FAQ</a></li><li><a href="/search/">Search</a></li>
</ul></nav></header>
<main id="main">
"""

HUGO_SHELL_FOOT = """\
</main>
<footer><p>{{ site.Title }}. Nothing you enter in the checklist leaves your browser.</p></footer>
</body>
</html>
"""

HUGO_SINGLE = HUGO_SHELL_HEAD + """\
<article>
<p class="crumbs"><a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></p>
<h1>{{ .Title }}</h1>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>
{{ with .Params.tags }} · {{ delimit . ", " }}{{ end }}</p>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
{{ .Content }}
</article>
""" + HUGO_SHELL_FOOT

HUGO_LIST = HUGO_SHELL_HEAD + """\
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ with .Sections }}<ul class="courts">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
{{ with .RegularPages }}<h2>Notices</h2>
<ul class="notices">
{{ range .ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>
{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}</ul>{{ end }}
""" + HUGO_SHELL_FOOT


@dataclass
class Site:
    root: Path
    content: Path
    hugo: Path
    cmark_input: Path
    courts: int
    notices: int
    sizes: list[int]
    edit_target: Path

    @property
    def total(self) -> int:
        return self.courts * self.notices


def generate(root: Path, courts: int, notices: int, with_hugo: bool, trash: list[Path]) -> Site:
    if root.exists():  # set aside, deleted at the end (see fresh_output)
        aside = root.with_name(f".old-{root.name}-{time.time_ns()}")
        root.rename(aside)
        trash.append(aside)
    for old in WORK.glob(".old-*"):  # left by an interrupted run
        if old not in trash:
            trash.append(old)
    content = root / "Content"
    content.mkdir(parents=True)
    for name in ["site.yml", "facts.yml"]:
        shutil.copy2(REPO / "Content" / name, content / name)
    for name in ["steps", "pages"]:
        shutil.copytree(REPO / "Content" / name, content / name)
        # The repository's pages may link to its own example courts (e.g. /courts/wiwb/), which the
        # synthetic site does not have: point such links at the first synthetic court instead.
        for md in (content / name).glob("*.md"):
            text = md.read_text(encoding="utf-8")
            fixed = re.sub(r"\(/courts/(?!c\d{4,}/)[A-Za-z0-9_-]+/", "(/courts/c0001/", text)
            if fixed != text:
                md.write_text(fixed, encoding="utf-8")
    checklist = wiwb_checklist()
    hugo = root / "hugo"
    if with_hugo:
        (hugo / "layouts/_default").mkdir(parents=True)
        (hugo / "static").mkdir()
        (hugo / "config.toml").write_text(HUGO_CONFIG)
        (hugo / "layouts/_default/single.html").write_text(HUGO_SINGLE)
        (hugo / "layouts/_default/list.html").write_text(HUGO_LIST)
        (hugo / "static/site.css").write_text("body{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:auto}\n")
        (hugo / "content/courts").mkdir(parents=True)
        (hugo / "content/_index.md").write_text('+++\ntitle = "NextGen CM/ECF Readiness"\n+++\n')
        (hugo / "content/courts/_index.md").write_text('+++\ntitle = "Courts"\n+++\n')
    sizes: list[int] = []
    cmark_input = root / "cmark-input.md"
    with open(cmark_input, "w", encoding="utf-8") as bodies:
        for c in range(1, courts + 1):
            court = make_court(c)
            cdir = content / "courts" / court.id
            (cdir / "notices").mkdir(parents=True)
            (cdir / "court.yml").write_text(court_yaml(court, checklist), encoding="utf-8")
            variables = court.variables()
            if with_hugo:
                hdir = hugo / "content/courts" / court.id
                (hdir / "notices").mkdir(parents=True)
                (hdir / "_index.md").write_text(f"+++\ntitle = {json.dumps(court.name)}\n+++\n", encoding="utf-8")
            for n in range(1, notices + 1):
                notice = make_notice(court, n, courts)
                text = notice.gavel_file()
                (cdir / "notices" / f"{notice.slug}.md").write_text(text, encoding="utf-8")
                sizes.append(len(text.encode()))
                if with_hugo:
                    (hdir / "notices" / f"{notice.slug}.md").write_text(notice.hugo_file(variables), encoding="utf-8")
                bodies.write(fill(notice.body, variables))
                bodies.write("\n\n")
    edit = content / "courts" / f"c{(courts + 1) // 2:04d}" / "notices" / f"n{(notices + 1) // 2:04d}.md"
    return Site(root, content, hugo, cmark_input, courts, notices, sizes, edit)


def edit_notice(path: Path, k: int) -> None:
    """Changes one notice's body where its search entry sees it: replaces (or adds) a revision
    paragraph at the start of the body, so the page, its search entry and the index change (an edit
    past the first 1,200 characters of text would leave the index as it was)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n\*\*Revised\*\* \(revision \d+\):[^\n]*\n\n", "\n", text, count=1)
    head, sep, body = text.partition("\n---\n")
    revision = (f"**Revised** (revision {k}): the clerk's office updated this notice; "
                f"see [the checklist](/checklist/) for what it means for you.\n\n")
    path.write_text(head + sep + revision + body.lstrip("\n"), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# The tools

def read_afresh(binary: Path) -> None:
    """Drops a program's file (written back already: see `os.sync` in `main`) from the page cache,
    so its runs map it as they map a program read from disk. Just written (by the linker, strip or
    cp), more of the file was mapped into a process as its pages were faulted in: the same binary's
    full build at 10,000 notices peaked at 63.2 MiB, and at 61.2 MiB once its file had been dropped
    and read again (six builds each, in turn; the difference was gone, too, from a copy made minutes
    before). A binary just built was otherwise measured as if it held 2 MiB more than the one it is
    compared with. (Without `posix_fadvise`, programs are run as they are.)"""
    if not hasattr(os, "posix_fadvise"):
        return
    try:
        fd = os.open(binary.resolve(), os.O_RDONLY)
    except OSError:
        return
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def ensure_gavel(explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit).resolve()
        if not path.exists():
            raise SystemExit(f"bench: no Gavel binary at {path}")
        return path
    path = REPO / ".build/dist/gavel"
    if not path.exists():
        say("Gavel release binary missing: running `scripts/static-build.sh release` (a few minutes)...")
        for attempt in range(1, 31):
            # The binary courts install (static runtime, stripped): what make release writes.
            proc = subprocess.run(["scripts/static-build.sh", "release"], cwd=REPO,
                                  capture_output=True, text=True)
            if proc.returncode == 0 and path.exists():
                break
            output = proc.stdout + proc.stderr
            if "Another instance of SwiftPM" in output or "lock" in output.lower():
                say(f"  the build folder is locked by another build; waiting (attempt {attempt})...")
                time.sleep(20)
                continue
            say(output[-4000:])
            raise SystemExit("bench: `scripts/static-build.sh release` failed")
        else:
            raise SystemExit("bench: gave up waiting for the release build")
    newest = max((p.stat().st_mtime for p in (REPO / "Sources").rglob("*.swift")), default=0)
    if newest > path.stat().st_mtime:
        say(f"note: {path} is older than some Sources/ files; run `make release` to measure the current code")
    return path


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def gavel_build(gavel: Path, site: Site, output: Path, label: str) -> Run:
    return measure([str(gavel), "build", "--content", str(site.content), "--templates", str(REPO / "Templates"),
                    "--output", str(output)], label, cwd=REPO)


def hugo_build(hugo: str, site: Site, output: Path) -> Run:
    return measure([hugo, "--source", str(site.hugo), "--destination", str(output), "--quiet"], "hugo build")


def clean(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def fresh_output(root: Path, name: str, run: int, trash: list[Path]) -> Path:
    """A new, never-used output folder for one from-scratch run. Earlier runs' folders are kept
    until the benchmark ends: deleting thousands of files just before a timed build makes the
    kernel's inode allocation (ext4 in particular) charge seconds of system time to that build."""
    out = root / f"{name}-run{run}"
    clean(out)
    trash.append(out)
    # Gavel keeps its incremental-build files next to the output (".<output>.gavel-cache" and
    # ".<output>.gavel-notices"): a build from scratch must not find them.
    for sibling in root.glob(f".{out.name}.*"):
        clean(sibling)
    trash.extend(root / f".{out.name}.{kind}" for kind in GAVEL_SIDE_FILES)
    return out


def tree_stats(root: Path) -> tuple[int, int]:
    files = total = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            files += 1
            total += os.path.getsize(os.path.join(dirpath, name))
    return files, total


def compare_trees(a: Path, b: Path) -> list[str]:
    """Differences between two folders: missing files on either side and files whose bytes differ."""
    def listing(root: Path) -> set[str]:
        out = set()
        for dirpath, dirs, names in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            for name in names + [d for d in dirs if os.path.islink(os.path.join(dirpath, d))]:
                out.add(os.path.normpath(os.path.join(rel, name)))
            for d in dirs:
                if not os.listdir(os.path.join(dirpath, d)):
                    out.add(os.path.normpath(os.path.join(rel, d)) + "/")
        return out
    left, right = listing(a), listing(b)
    problems = [f"only in the rebuilt tree: {p}" for p in sorted(left - right)]
    problems += [f"only in the fresh build: {p}" for p in sorted(right - left)]
    for rel in sorted(left & right):
        if rel.endswith("/"):
            continue
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            problems.append(f"bytes differ: {rel}")
    return problems


# --------------------------------------------------------------------------------------------
# The benchmark

def ratio_row(name: str, value: float | None, goal: float, detail: str, percent: bool = False) -> tuple:
    if value is None:
        return (name, detail, f"<= {goal * 100:.0f}%" if percent else f"<= {goal:.2f}x", "n/a")
    shown = f"{value * 100:.1f}%" if percent else f"{value:.2f}x"
    return (name, f"{shown} ({detail})", f"<= {goal * 100:.0f}%" if percent else f"<= {goal:.2f}x",
            "met" if value <= goal else "MISSED")


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark Gavel on a synthetic site (and compare with Hugo and cmark-gfm).")
    parser.add_argument("--courts", type=int, default=100, help="number of courts (default 100)")
    parser.add_argument("--notices", type=int, default=100, help="notices per court (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each build (default 5)")
    parser.add_argument("--rebuild-runs", type=int, default=15,
                        help="measured no-op and one-change rebuilds (default 15: they take a tenth of a second, and swing more from run to run than full builds)")
    parser.add_argument("--scaling", action="store_true", help="also measure 1,000 / 10,000 / 50,000 notices (slow)")
    parser.add_argument("--scaling-runs", type=int, default=3, help="runs per size with --scaling (default 3)")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument("--gavel", metavar="PATH", help="Gavel binary (default: .build/dist/gavel, built by scripts/static-build.sh if missing)")
    parser.add_argument("--work", metavar="DIR", help="where to generate and build (default bench/work; /dev/shm/... keeps the disk out of it)")
    args = parser.parse_args()
    global WORK
    if args.work:
        WORK = Path(args.work).resolve()
    if args.courts < 1 or args.notices < 1 or args.runs < 1 or args.rebuild_runs < 1 or args.scaling_runs < 1:
        parser.error("--courts, --notices, --runs, --rebuild-runs and --scaling-runs must be at least 1")

    WORK.mkdir(parents=True, exist_ok=True)
    gavel = ensure_gavel(args.gavel)
    hugo = None if args.no_hugo else shutil.which("hugo")
    cmark = shutil.which("cmark-gfm")
    results: dict = {"machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                 "python": platform.python_version()},
                     "tools": {"gavel": str(gavel),
                               "hugo": tool_version([hugo, "version"]) if hugo else None,
                               "cmark_gfm": tool_version([cmark, "--version"]) if cmark else None},
                     "size": {"courts": args.courts, "notices_per_court": args.notices,
                              "notices": args.courts * args.notices, "runs": args.runs,
                              "rebuild_runs": args.rebuild_runs}}

    say("Gavel benchmark")
    say(f"  machine   {results['machine']['platform']}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    say(f"  gavel     {gavel}")
    say(f"  hugo      {results['tools']['hugo'] or ('skipped (--no-hugo)' if args.no_hugo else 'not installed: skipped')}")
    say(f"  cmark-gfm {results['tools']['cmark_gfm'] or 'not installed: no floor'}")
    gavel_stamp = gavel.stat().st_mtime_ns, gavel.stat().st_size
    os.sync()  # pages still to be written back cannot be dropped
    for tool in [gavel, hugo, cmark]:
        if tool:
            read_afresh(Path(tool))
    load_start = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load_start:
        say(f"  load      {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f} (1/5/15 min) at start"
            + ("  -- the machine is busy: expect noisy wall times" if load_start[0] > (os.cpu_count() or 1) else ""))
    results["machine"]["load_start"] = load_start

    # 1. The synthetic site.
    trash: list[Path] = []  # folders deleted when the benchmark ends (see fresh_output)
    t0 = time.perf_counter()
    site = generate(WORK / "site", args.courts, args.notices, with_hugo=bool(hugo), trash=trash)
    gen_time = time.perf_counter() - t0
    sizes = sorted(site.sizes)
    say(f"\nGenerated {site.total:,} notices ({args.courts} courts x {args.notices}) into {site.root} "
        f"in {gen_time:.1f} s")
    say(f"  notice files: {sum(sizes) / 1e6:.1f} MB, {sizes[0]} to {sizes[-1]} bytes each "
        f"(median {statistics.median(sizes):.0f})")
    results["content"] = {"bytes": sum(sizes), "min_bytes": sizes[0], "max_bytes": sizes[-1],
                          "median_bytes": statistics.median(sizes)}


    # 2. Full builds from scratch, alternating Gavel and Hugo, after one untimed warm-up of each.
    say(f"\nFull builds from scratch: 1 warm-up + {args.runs} measured runs each"
        + (", alternating Gavel / Hugo" if hugo else ""))
    full_g, full_h = Series(), Series()
    for i in range(args.runs + 1):
        out_gavel = fresh_output(site.root, "Output-gavel", i, trash)
        run = gavel_build(gavel, site, out_gavel, "gavel build (from scratch)")
        if i == 0:
            say(f"  warm-up gavel: {run.stdout.strip().splitlines()[-1] if run.stdout.strip() else 'ok'}")
        else:
            full_g.runs.append(run)
        if hugo:
            out_hugo = fresh_output(site.root, "Output-hugo", i, trash)
            hrun = hugo_build(hugo, site, out_hugo)
            if i > 0:
                full_h.runs.append(hrun)
        if i > 0:
            say(f"  run {i}: gavel {fmt_s(run.wall):>9} {run.rss_mib:7.1f} MiB"
                + (f"   hugo {fmt_s(hrun.wall):>9} {hrun.rss_mib:7.1f} MiB" if hugo else ""))
    trash.remove(out_gavel)  # the last full build's output is the one the rebuilds below update
    for kind in GAVEL_SIDE_FILES:
        trash.remove(out_gavel.with_name(f".{out_gavel.name}.{kind}"))
    if hugo:
        trash.remove(out_hugo)  # kept for inspection
    g_files, g_bytes = tree_stats(out_gavel)
    say(describe("Gavel full build", full_g))
    say(f"  {'':<26} output: {g_files:,} files, {g_bytes / 1e6:.1f} MB")
    results["gavel_full"] = full_g.summary() | {"output_files": g_files, "output_bytes": g_bytes}
    if hugo:
        h_files, h_bytes = tree_stats(out_hugo)
        say(describe("Hugo full build", full_h))
        say(f"  {'':<26} output: {h_files:,} files, {h_bytes / 1e6:.1f} MB")
        results["hugo_full"] = full_h.summary() | {"output_files": h_files, "output_bytes": h_bytes}
        wall_ratio = full_g.med("wall") / full_h.med("wall")
        rss_ratio = full_g.med("rss_kib") / full_h.med("rss_kib")
        say(f"  Gavel / Hugo: wall time {wall_ratio:.2f}x, peak RSS {rss_ratio:.2f}x, "
            f"CPU time {full_g.med('cpu') / full_h.med('cpu'):.2f}x")
        results["vs_hugo"] = {"wall_ratio": wall_ratio, "rss_ratio": rss_ratio,
                              "cpu_ratio": full_g.med("cpu") / full_h.med("cpu")}

    # 3. The cmark-gfm floor: the same Markdown bodies, one process, HTML to /dev/null.
    cpu_ratio = None
    if cmark:
        floor = Series()
        argv = [cmark] + CMARK_ARGS + [str(site.cmark_input)]
        for i in range(args.runs + 1):
            run = measure(argv, "cmark-gfm", capture=False)
            if i > 0:
                floor.runs.append(run)
        cpu_ratio = full_g.med("cpu") / floor.med("cpu")
        say(f"\ncmark-gfm floor ({site.cmark_input.stat().st_size / 1e6:.1f} MB of Markdown bodies, "
            f"{' '.join(CMARK_ARGS)})")
        say(describe("cmark-gfm", floor))
        say(f"  Gavel CPU time is {cpu_ratio:.2f}x the floor ({fmt_s(full_g.med('cpu'))} / {fmt_s(floor.med('cpu'))})")
        results["cmark_floor"] = floor.summary() | {"gavel_cpu_ratio": cpu_ratio}

    # 4. Rebuilds into the existing output.
    full_wall = full_g.med("wall")
    say(f"\nRebuilds into the existing output (one untimed warm-up, then {args.rebuild_runs} runs each)")
    # The first of each follows the build from nothing: the no-op ends on the witness that build
    # left, but there is no record of the trees yet for an edit (both trees are listed). Like the
    # full builds' warm-up, it is not one of the measured runs; its time is printed on its own.
    first_noop = gavel_build(gavel, site, out_gavel, "gavel build (first no-op after a build from nothing)")
    noop = Series()
    for _ in range(args.rebuild_runs):
        noop.runs.append(gavel_build(gavel, site, out_gavel, "gavel build (no-op rebuild)"))
    say(describe("no-op rebuild", noop))
    counts = gavel_counts(noop.runs[-1])
    if counts:
        say(f"  {'':<26} {counts['written']} written, {counts['unchanged']} unchanged, {counts['removed']} removed")
    edit_notice(site.edit_target, 0)
    first_one = gavel_build(gavel, site, out_gavel, "gavel build (first edit after a build from nothing)")
    one = Series()
    for k in range(1, args.rebuild_runs + 1):
        edit_notice(site.edit_target, k)
        one.runs.append(gavel_build(gavel, site, out_gavel, "gavel build (one notice changed)"))
    say(describe("one notice changed", one))
    counts1 = gavel_counts(one.runs[-1])
    if counts1:
        say(f"  {'':<26} {counts1['written']} written, {counts1['unchanged']} unchanged, "
            f"{counts1['removed']} removed (edited {site.edit_target.relative_to(site.root)})")
    say(f"  {'':<26} untimed warm-ups, the first after the build from nothing: no-op {first_noop.wall * 1000:.0f} ms, "
        f"one change {first_one.wall * 1000:.0f} ms")
    noop_ratio = noop.med("wall") / full_wall
    one_ratio = one.med("wall") / full_wall
    say(f"  as a share of the full build: no-op {noop_ratio * 100:.1f}%, one change {one_ratio * 100:.1f}%")
    results["noop_rebuild"] = noop.summary() | {"share_of_full": noop_ratio, "counts": counts}
    results["one_change_rebuild"] = one.summary() | {"share_of_full": one_ratio, "counts": counts1,
                                                     "first_after_full_build_s": first_one.wall}
    results["noop_rebuild"]["first_after_full_build_s"] = first_noop.wall

    # 5. The incremental output must equal a build from scratch of the same content.
    out_fresh = fresh_output(site.root, "Output-gavel-fresh", 0, trash)
    gavel_build(gavel, site, out_fresh, "gavel build (fresh, for comparison)")
    problems = compare_trees(out_gavel, out_fresh)
    identical = not problems
    say(f"\nOne-change rebuild vs fresh build of the same content: {'PASS' if identical else 'FAIL'} "
        f"(byte-for-byte over {tree_stats(out_fresh)[0]:,} files)")
    for p in problems[:20]:
        say("  " + p)
    if len(problems) > 20:
        say(f"  ... {len(problems) - 20} more differences")
    results["rebuild_identical"] = {"pass": identical, "differences": problems[:100]}

    # 5b. Search: the index's size, and what a first query loads of it (node runs search.js over the
    # shards as the search page does, and checks the results equal a scan of every entry).
    search_first = None
    node = shutil.which("node")
    if node:
        proc = subprocess.run([node, str(BENCH_DIR / "search_queries.mjs"), str(out_gavel), *SEARCH_QUERIES],
                              capture_output=True, text=True)
        if proc.returncode == 0:
            sq = json.loads(proc.stdout)
            loaded = [q["bytes"] for q in sq["queries"]]
            search_first = {"index_bytes": sq["indexBytes"], "entries": sq["entries"],
                            "bytes_per_1000_notices": sq["indexBytes"] / (site.total / 1000),
                            "max_first_query_bytes": max(loaded), "median_first_query_bytes": statistics.median(loaded),
                            "all_same_as_whole_index": all(q["same"] for q in sq["queries"]), "queries": sq["queries"]}
            say(f"\nSearch index: {sq['indexBytes'] / 1e6:.1f} MB for {sq['entries']:,} entries, "
                f"{search_first['bytes_per_1000_notices'] / 1e6:.2f} MB per 1,000 notices")
            for q in sq["queries"]:
                say(f"  first query {q['query']!r:<46} loads {q['bytes'] / 1000:7.1f} KB in {q['files']:3d} files, "
                    f"{q['total']:6,} results, {'same' if q['same'] else 'DIFFERENT'} as the whole index")
            say(f"  median {search_first['median_first_query_bytes'] / 1000:.1f} KB, largest {max(loaded) / 1000:.1f} KB")
        else:
            say(f"\nSearch figures not measured: {proc.stderr.strip()[:300]}")
    results["search"] = search_first

    # 5c. The live preview: edit-to-reload latency of `gavel serve` on this site.
    serve = None
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "serve_latency.py"), "--gavel", str(gavel), "--content", str(site.content),
                           "--templates", str(REPO / "Templates"), "--notice", str(site.edit_target.relative_to(site.content)),
                           "--edits", str(max(9, args.runs)), "--pause", "1", "--json"], capture_output=True, text=True)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("{")), None)
    if proc.returncode == 0 and line:
        serve = json.loads(line)
        say(f"\ngavel serve, edit-to-reload ({len(serve['latencies_ms'])} edits of one notice, inotify): median "
            f"{serve['median_ms']:.0f} ms (server build {serve['median_build_ms']:.0f} ms; first build {serve['first_build_s']:.1f} s)")
    else:
        say(f"\ngavel serve latency not measured: {(proc.stderr or proc.stdout).strip()[:300]}")
    results["serve_reload"] = serve

    # 6. Scaling (optional).
    scaling: dict[int, Series] = {}
    if args.scaling:
        say(f"\nScaling ({args.courts} courts, Gavel full builds from scratch, 1 warm-up + {args.scaling_runs} runs each)")
        for total in SCALING_SIZES:
            per_court = max(1, total // args.courts)
            ssite = generate(WORK / f"scale-{total}", args.courts, per_court, with_hugo=False, trash=trash)
            series = Series()
            for i in range(args.scaling_runs + 1):
                out = fresh_output(ssite.root, "Output-gavel", i, trash)
                run = gavel_build(gavel, ssite, out, f"gavel build ({ssite.total:,} notices)")
                if i > 0:
                    series.runs.append(run)
            scaling[total] = series
            say(describe(f"{ssite.total:,} notices", series))
            results.setdefault("scaling", {})[str(ssite.total)] = series.summary()
            trash.append(ssite.root)
        base, big = scaling[10_000], scaling[50_000]
        results["scaling_ratios"] = {"time_50k_vs_10k": big.med("wall") / base.med("wall"),
                                     "rss_50k_vs_10k": big.med("rss_kib") / base.med("rss_kib")}
        say(f"  50k vs 10k: time {results['scaling_ratios']['time_50k_vs_10k']:.2f}x, "
            f"peak RSS {results['scaling_ratios']['rss_50k_vs_10k']:.2f}x")

    # 7. The targets.
    rows = [("Target", "Measured", "Goal", "Result")]
    if hugo:
        rows.append(ratio_row("Full build wall time vs Hugo", results["vs_hugo"]["wall_ratio"], TARGET_WALL_VS_HUGO,
                              f"{fmt_s(full_g.med('wall'))} vs {fmt_s(full_h.med('wall'))}"))
        rows.append(ratio_row("Full build peak RSS vs Hugo", results["vs_hugo"]["rss_ratio"], TARGET_RSS_VS_HUGO,
                              f"{full_g.med('rss_kib') / 1024:.0f} vs {full_h.med('rss_kib') / 1024:.0f} MiB"))
    else:
        rows.append(ratio_row("Full build wall time vs Hugo", None, TARGET_WALL_VS_HUGO, "Hugo not run"))
        rows.append(ratio_row("Full build peak RSS vs Hugo", None, TARGET_RSS_VS_HUGO, "Hugo not run"))
    if cmark:
        rows.append(ratio_row("CPU time vs cmark-gfm floor", cpu_ratio, TARGET_CPU_VS_CMARK,
                              f"{fmt_s(full_g.med('cpu'))} vs {fmt_s(results['cmark_floor']['cpu_s'])}"))
    else:
        rows.append(ratio_row("CPU time vs cmark-gfm floor", None, TARGET_CPU_VS_CMARK, "cmark-gfm not installed"))
    rows.append(ratio_row("No-op rebuild vs full build", noop_ratio, TARGET_NOOP,
                          f"{fmt_s(noop.med('wall'))} of {fmt_s(full_wall)}", percent=True))
    rows.append(ratio_row("One changed notice vs full build", one_ratio, TARGET_ONE_CHANGE,
                          f"{fmt_s(one.med('wall'))} of {fmt_s(full_wall)}", percent=True))
    rows.append(("One-change rebuild == fresh build", "identical" if identical else f"{len(problems)} differences",
                 "identical", "PASS" if identical else "FAIL"))
    if search_first:
        rows.append((f"Search: first query loads (largest of {len(SEARCH_QUERIES)})", f"{search_first['max_first_query_bytes'] / 1000:.0f} KB "
                     f"(median {search_first['median_first_query_bytes'] / 1000:.0f} KB)", f"<= {TARGET_SEARCH_FIRST_QUERY // 1000} KB",
                     "met" if search_first["max_first_query_bytes"] <= TARGET_SEARCH_FIRST_QUERY else "MISSED"))
        rows.append(("Search: results == whole index", "identical" if search_first["all_same_as_whole_index"] else "DIFFERENT",
                     "identical", "PASS" if search_first["all_same_as_whole_index"] else "FAIL"))
    if serve:
        rows.append(("serve: edit-to-reload, one notice", f"{serve['median_ms']:.0f} ms", f"<= {TARGET_SERVE_RELOAD_MS} ms",
                     "met" if serve["median_ms"] <= TARGET_SERVE_RELOAD_MS else "MISSED"))
    if scaling:
        sr = results["scaling_ratios"]
        rows.append(ratio_row("50k vs 10k notices: time", sr["time_50k_vs_10k"], TARGET_SCALE_TIME,
                              f"{fmt_s(scaling[50_000].med('wall'))} vs {fmt_s(scaling[10_000].med('wall'))}"))
        rows.append(ratio_row("50k vs 10k notices: peak RSS", sr["rss_50k_vs_10k"], TARGET_SCALE_RSS,
                              f"{scaling[50_000].med('rss_kib') / 1024:.0f} vs {scaling[10_000].med('rss_kib') / 1024:.0f} MiB"))
    else:
        rows.append(("50k vs 10k notices: time", "not run (use --scaling)", f"<= {TARGET_SCALE_TIME:.2f}x", "n/a"))
        rows.append(("50k vs 10k notices: peak RSS", "not run (use --scaling)", f"<= {TARGET_SCALE_RSS:.2f}x", "n/a"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    say(f"\nTargets ({site.total:,} notices, medians of {args.runs} runs, {args.rebuild_runs} for rebuilds)")
    for n, r in enumerate(rows):
        say("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
        if n == 0:
            say("  " + "  ".join("-" * w for w in widths))
    results["targets"] = [dict(zip(["target", "measured", "goal", "result"], r)) for r in rows[1:]]

    for path in trash:
        clean(path)
    load_end = os.getloadavg() if hasattr(os, "getloadavg") else None
    results["machine"]["load_end"] = load_end
    if load_end:
        say(f"\nLoad average at the end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f} (1/5/15 min) "
            f"on {os.cpu_count()} CPUs")
    if (gavel.stat().st_mtime_ns, gavel.stat().st_size) != gavel_stamp:
        say(f"WARNING: {gavel} was replaced during the benchmark (another build?): the figures mix two binaries")
        results["gavel_binary_changed"] = True
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
        say(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BuildFailed as failure:
        say(f"bench: stopped because a build failed ({failure})")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
