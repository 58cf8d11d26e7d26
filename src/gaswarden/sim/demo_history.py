"""A plausible past year for the demo district: inspections, hazards to closure, enforcement.

`load_history(demo)` replays twelve months before `demo.today` as a simulation in time order:
plans generate their tasks at each month's start, agencies and enterprises carry them out,
regulators make spot checks and one joint inspection, every failed item opens a hazard that
the enterprise rectifies and an inspector or regulator verifies (some sent back once, some
late, a few left stalled), and the overdue sweep runs on the nights it has work. Everything
goes through the domain services as the demo users (so scope, workflow, timeline and audit
all apply), with each step's `now` set to its simulated time; nothing happens at or after
the start of `demo.today` (local time). Deterministic from the demo's seeded rng.

Figures aimed at (the source article): ~290 hazards found by agencies and regulators, ~250
by the enterprises themselves, 11 enterprise systems improved, 9 + 5 + 1 illegal sites
closed (see `demo_inspections` and `demo_enforcement`).

Volume and speed: ~680 inspections (third-party quarterly at the 34 licensed stations and
half-yearly at the 70 regulator stations and boxes, self-inspections monthly at the licensed
stations, ~30 spot checks, one joint inspection) and ~530 hazards. Through the services an
inspection costs ~20 ms to submit and a hazard step ~6 ms (SQLite), ~20 s in all; more
inspections cost in proportion, so the volume is set here rather than the services bypassed.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from gaswarden.core.auth import Principal
from gaswarden.core.localtime import DEFAULT_TZ
from gaswarden.domains.account import service as accounts
from gaswarden.domains.account.models import User
from gaswarden.domains.hazard import overdue
from gaswarden.domains.hazard import service as hazards
from gaswarden.domains.hazard.models import Hazard
from gaswarden.domains.site.models import SiteAssignment
from gaswarden.sim import names
from gaswarden.sim.context import Demo
from gaswarden.standards.hazards import ESCALATION_STEPS, HazardGrade

log = logging.getLogger(__name__)

TZ = DEFAULT_TZ
HISTORY_MONTHS = 12  # the current month and the eleven before it

# Who acts for an enterprise (organisation key -> usernames), for an agency, for the regulator.
ENTERPRISE_USERS: dict[str, tuple[str, ...]] = {
    "gas1": ("ent_staff", "ent_admin"),
    "gas2": ("gas2_staff",),
    "lpg": ("field_worker", "lpg_admin"),
    "lng": ("lng_staff",),
    "cng": ("cng_staff",),
}
AGENCY_USER = {"agency1": "inspector", "agency2": "inspector2"}
REGULATOR_USERS = ("reg_staff", "reg_admin")

# ---- how the hazards go (shares of all hazards; practice, tuned to the article's figures) ----
P_RETURNED = 0.14  # the first rectification is sent back once
P_LATE = 0.06  # the rectification comes in after the deadline
P_STALL_RECENT = 0.12  # of hazards found in the last STALL_WINDOW: left unrectified
STALL_WINDOW = timedelta(days=90)

RETURN_REASONS = (
    "整改照片不清晰,无法确认整改效果,请补充现场照片 Photos unclear: send clear ones",
    "仅做临时处置,未彻底整改,请按要求落实 Only a stopgap: put it right for good",
    "整改内容与隐患描述不符,请重新整改 The work does not address the finding",
    "缺少检测报告/合格证明,请补充 The test report or certificate is missing",
)
INTERIM_MEASURES = (
    "设置警戒区域,专人24小时值守,每2小时巡检一次,配备应急器材",
    "暂停相关区域作业,关闭上游阀门,安排专人值守并加密检测",
    "临时增设便携式可燃气体检测仪,落实领导带班和应急处置预案",
)


# ---- the clock -----------------------------------------------------------------------------------
def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, ZoneInfo(TZ)).astimezone(UTC)


def working_time(rng_value: float, day: date) -> datetime:
    """A time between 08:30 and 17:30 local on `day` (rng_value in [0, 1))."""
    minutes = 8 * 60 + 30 + int(rng_value * 9 * 60)
    return local_midnight(day) + timedelta(minutes=minutes)


def weekday(day: date) -> date:
    """The day itself, or the Monday after a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def local_day(at: datetime) -> date:
    return at.astimezone(ZoneInfo(TZ)).date()


def history_start(today: date) -> date:
    """The first day of the month HISTORY_MONTHS - 1 months before today's."""
    index = today.year * 12 + today.month - 1 - (HISTORY_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


# ---- the simulation ------------------------------------------------------------------------------
@dataclass
class History:
    """The simulation's state: the event queue, the actors and what happened."""

    demo: Demo
    start: date  # the first day of the history
    end: datetime  # the start of demo.today (local): nothing happens at or after it
    who: dict[str, Principal] = field(default_factory=dict)  # username -> principal
    org_key: dict[int, str] = field(default_factory=dict)  # organisation id -> demo key
    site_agency: dict[int, str] = field(default_factory=dict)  # site id -> inspector username
    queue: list[tuple[datetime, int, Callable[[datetime], None]]] = field(default_factory=list)
    seq: itertools.count[int] = field(default_factory=itertools.count)
    # hazard id -> what else happens when it is verified (an enterprise system improved)
    on_verified: dict[int, Callable[[datetime], None]] = field(default_factory=dict)
    swept: set[date] = field(default_factory=set)  # nights the overdue sweep has run

    @property
    def today(self) -> date:
        return self.demo.today

    def at(self, when: datetime, fn: Callable[[datetime], None]) -> bool:
        """Schedule `fn(when)`; False (and nothing scheduled) if `when` is not in the past."""
        if when >= self.end:
            return False
        heapq.heappush(self.queue, (when, next(self.seq), fn))
        return True

    def run(self) -> None:
        while self.queue:
            when, _, fn = heapq.heappop(self.queue)
            fn(when)

    def working(self, day: date) -> datetime:
        return working_time(self.demo.rng.random(), weekday(day))

    def after(self, t: datetime, low_days: float, high_days: float) -> datetime:
        """A working-hours time `low_days` to `high_days` after `t` (and after `t` itself)."""
        rng = self.demo.rng
        target = t + timedelta(days=rng.uniform(low_days, high_days))
        at = working_time(rng.random(), weekday(local_day(target)))
        return at if at > t else t + timedelta(minutes=rng.randint(20, 120))

    def enterprise_user(self, owner_id: int | None) -> str | None:
        users = ENTERPRISE_USERS.get(self.org_key.get(owner_id or 0, ""))
        return self.demo.rng.choice(users) if users else None

    def regulator(self) -> str:
        return REGULATOR_USERS[0] if self.demo.rng.random() < 0.7 else REGULATOR_USERS[1]


def _actors(h: History) -> None:
    session = h.demo.session
    for user in session.scalars(select(User).order_by(User.id)).unique():
        h.who[user.username] = accounts.principal_for(session=session, user=user)
    h.org_key = {org.id: key for key, org in h.demo.orgs.items()}
    agency_user = {h.demo.orgs[k].id: u for k, u in AGENCY_USER.items()}
    for agency_id, site_id in session.execute(
        select(SiteAssignment.agency_id, SiteAssignment.site_id).order_by(SiteAssignment.id)
    ):
        if agency_id in agency_user:
            h.site_agency[site_id] = agency_user[agency_id]


# ---- a hazard's way to closure -------------------------------------------------------------------
@dataclass
class Fate:
    stall: str | None = None  # "assigned" | "rectifying": left there
    returned: bool = False
    late: bool = False


def fate_for(h: History, found: datetime) -> Fate:
    rng = h.demo.rng
    fate = Fate(returned=rng.random() < P_RETURNED, late=rng.random() < P_LATE)
    if h.end - found < STALL_WINDOW and rng.random() < P_STALL_RECENT:
        fate.stall = "assigned" if rng.random() < 0.35 else "rectifying"
    return fate


def sweep_when_due(h: History, hazard_id: int, deadline: date) -> None:
    """The nightly overdue sweep, replayed on the nights it can change something for this
    hazard (the first night past its deadline, the night escalation reaches the next level),
    if the hazard is still waiting on the enterprise then: the same steps as sweeping every
    night, in a fraction of the calls."""
    for days, _level in ESCALATION_STEPS:
        night = deadline + timedelta(days=max(days, 1))

        def check(t: datetime, night: date = night) -> None:
            hazard = h.demo.session.get(Hazard, hazard_id)
            if hazard is None or hazard.status not in overdue.WAITING or night in h.swept:
                return
            h.swept.add(night)
            result = overdue.sweep(h.demo.session, now=t, tz=TZ)
            h.demo.counts["history:sweeps"] += 1
            h.demo.counts["history:escalations"] += len(result.escalated)

        h.at(local_midnight(night) + timedelta(minutes=5), check)


def follow(h: History, hazard: Hazard, *, verifier: str, fate: Fate | None = None) -> None:
    """Schedule the hazard's steps after its report: (a major hazard's plan), start, submit,
    verification (or a send-back and a second round), each by the right user."""
    found = hazard.found_at
    fate = fate or fate_for(h, found)
    ent_user = h.enterprise_user(hazard.owner_id)
    if ent_user is None:
        return
    major = hazard.grade is HazardGrade.MAJOR
    if major:
        verifier = h.regulator()
    hazard_id, deadline = hazard.id, hazard.deadline
    session, rng = h.demo.session, h.demo.rng

    def ent() -> Principal:
        return h.who[ent_user]

    def do_verify(t: datetime) -> None:
        hazards.verify(
            session=session,
            principal=h.who[verifier],
            id=hazard_id,
            note="现场复查,整改到位,予以销号 Checked on site: put right, closed",
            tz=TZ,
            now=t,
        )
        then = h.on_verified.pop(hazard_id, None)
        if then is not None:
            then(t)

    def do_resubmit(t: datetime) -> None:
        hazards.submit(
            session=session,
            principal=ent(),
            id=hazard_id,
            description="已按验收意见重新整改并补充现场照片 Done again as asked, photos added",
            now=t,
        )
        h.at(h.after(t, 0.3, 2.5), do_verify)

    def do_send_back(t: datetime) -> None:
        hazards.send_back(
            session=session,
            principal=h.who[verifier],
            id=hazard_id,
            note=rng.choice(RETURN_REASONS),
            now=t,
        )
        h.at(h.after(t, 1, 4), do_resubmit)

    def do_submit(t: datetime) -> None:
        hazards.submit(
            session=session,
            principal=ent(),
            id=hazard_id,
            description="已完成整改,整改前后照片已留存 Put right; before and after photos kept",
            now=t,
        )
        h.at(h.after(t, 0.3, 3), do_send_back if fate.returned else do_verify)

    def do_start(t: datetime) -> None:
        hazards.start(session=session, principal=ent(), id=hazard_id, note="已安排专人整改", now=t)
        if fate.stall is not None:
            return
        last = local_midnight(deadline) + timedelta(hours=17)
        if fate.late:
            when = h.after(last, 1, 6)
        else:
            span = max((last - t).total_seconds() / 86400 * 0.9, 0.3)
            when = h.after(t, 0.2, span)
            if when > last:
                when = max(t + timedelta(minutes=30), last - timedelta(hours=2))
        h.at(when, do_submit)

    def do_plan(t: datetime) -> None:
        hazards.submit_plan(
            session=session,
            principal=ent(),
            id=hazard_id,
            measures="制定专项整改方案:更换/加装相关安全设施,委托有资质单位施工并检测验收",
            responsible_person=names.person_name(rng),
            deadline=deadline,
            interim_measures=rng.choice(INTERIM_MEASURES),
            funds_yuan=float(rng.randrange(20, 400) * 1000),
            now=t,
        )
        h.at(h.after(t, 0.1, 1.5), do_start)

    sweep_when_due(h, hazard_id, deadline)
    if fate.stall == "assigned":
        return
    first = h.after(found, 1, 5) if major else h.after(found, 0.1, 1.5)
    h.at(first, do_plan if major else do_start)


def load_history(demo: Demo) -> None:
    """Twelve months of inspections, hazards and enforcement before `demo.today`."""
    from gaswarden.sim import demo_enforcement, demo_inspections

    h = History(demo=demo, start=history_start(demo.today), end=local_midnight(demo.today))
    demo.session.flush()
    _actors(h)
    demo_inspections.prepare(h)
    h.run()
    overdue.sweep(demo.session, now=h.end, tz=TZ)  # this night's sweep
    demo_enforcement.load_cases(h)
    demo.session.flush()
    log.info(
        "demo history: %d inspections, %d hazards, %d cases",
        demo.counts["inspection"],
        demo.counts["hazard"],
        demo.counts["enforcement_case"],
    )
