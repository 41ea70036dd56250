"""The consistency checker: invariants that hold across the whole database when nothing is wrong.

`check_consistency()` reads every table it needs once (bulk reads, never a query per claim or
demand), in one read-only snapshot, and returns one line per violation, each naming the object
ids, e.g. ``"claim-process: claim 12 (approved): process 40 has active tasks [review], expected
[publish_activity]"``. `manage.py check_consistency` prints them and exits 1.

Invariants, by the prefix of the lines that report them:

``claim-process``: a claim and its Viewflow process tell the same story.
    Every claim has a ClaimFlow process whose artifact is the claim, and every ClaimFlow
    process belongs to a claim. Active tasks are those in NEW, ASSIGNED or STARTED.

    ==================  ==========  ==========================================================
    claim state         process     tasks
    ==================  ==========  ==========================================================
    pending             NEW         active: exactly ``review``, in the queue of the reviewers of
                                    the demand's league org (its task permission)
    approved            NEW         active: exactly ``publish_activity``
    activity_published  NEW         active: ``rate_by_league`` / ``rate_by_volunteer``, one for
                                    each side that has no rating yet, at least one; plus
                                    ``join_ratings`` (waiting) once the first rating is in
    completed           DONE        ``settle_points`` DONE, nothing active
    rejected            DONE        ``review`` DONE (the reviewer returned it: the gateway ended
                                    the process), nothing active
                        CANCELED    nothing active (the system or an administrator rejected it)
    withdrawn           CANCELED    nothing active
    lapsed              DONE        the ``lapsed`` end DONE (the publish_activity Handle ran
                                    and its gateway saw no activity), nothing active;
                                    ``lapsed_at`` set
    (cancelled)         CANCELED    nothing active: a claim an administrator cancelled
                                    (``cancelled_at`` set) is rejected or withdrawn
    ==================  ==========  ==========================================================

``deadlines``: the claim's due times and escalations (docs/deadlines.md).
    A pending claim has ``review_due_at``; an approved one ``activity_due_at``. A claim's
    ``escalation_level`` equals the number of its ReviewEscalation rows, whose levels are
    1, 2, … and whose orgs are the demand's league org's parent, grandparent, … in order.

``demand-claims``: a demand's state and the claims that hold it.
    A holding claim is one in approved, activity_published or completed. A claimed,
    in_service or completed demand has exactly one, in approved, activity_published or
    completed respectively; an open, draft, closed or expired demand has none; a draft has no
    claims at all; a pending claim's demand is open (closing, expiring and approving another
    claim all return the pending ones).

``rating``: every rating's claim is activity_published or completed.

``points``: the ledger pays each rating once, as the rule says.
    A completed claim has exactly two ratings and exactly two points entries, one per
    rating, each of `scoring.rules.points_for_rating(stars)` points paid to the rated org (a
    league rating pays the claim's volunteer org, a volunteer rating the demand's league org).
    A claim that is not completed has no points entries. An entry has both its rating and the
    rating's claim, or neither (a manual correction).

``balance``: every org's balance as `scoring.selectors.points_balance` reads it equals the
    sum of its entries, computed here in one grouped query. (The selector is called once per
    org that holds entries: one query per org, never per claim.)

``audit``: every state has its audit record.
    For each claim, demand and initial demand the audit records, ordered by (at, id), form a
    continuous chain: the first one's from_state is "", each later one's from_state is the
    previous one's to_state, and the last one's to_state is the object's current state.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Sum
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from demands.models import Demand, DemandStatus, InitialDemand
from orgs.backends import review_permission
from orgs.models import AuditRecord, LeagueOrg, VolunteerOrg
from scoring import selectors as scoring_selectors
from scoring.models import PointsEntry, Rating, Side
from scoring.rules import points_for_rating

from .flows import ClaimFlow
from .models import HOLDING_CLAIM_STATES, Claim, ClaimStatus, ReviewEscalation
from .selectors import ACTIVE_TASK_STATES

S = ClaimStatus
D = DemandStatus

# The claim state that holds a demand in each of the demand's held states.
HOLDER_FOR_DEMAND = {
    D.CLAIMED: S.APPROVED,
    D.IN_SERVICE: S.ACTIVITY_PUBLISHED,
    D.COMPLETED: S.COMPLETED,
}
RATE_NODE = {Side.LEAGUE: "rate_by_league", Side.VOLUNTEER: "rate_by_volunteer"}


@dataclass(frozen=True)
class ConsistencyReport:
    violations: list[str]
    claims: int  # how many claims and demands were checked
    demands: int


def consistency_report() -> ConsistencyReport:
    """Check every invariant above in one snapshot of the database."""
    with _snapshot():
        checker = _Checker()
        violations = checker.run()
    return ConsistencyReport(violations, len(checker.claims), len(checker.demands))


def check_consistency() -> list[str]:
    """Every violation of the invariants above, one line each; [] when all is well."""
    return consistency_report().violations


@contextmanager
def _snapshot():
    """One transaction for all the reads, so that they see one state of the database.

    PostgreSQL: REPEATABLE READ, read-only (unless the caller already holds a transaction, whose
    snapshot we then share). SQLite: the transaction takes the write lock (IMMEDIATE), so
    writers wait for the check instead of changing tables between its reads.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _names(nodes) -> str:
    return "[" + ", ".join(sorted(nodes)) + "]"


class _Checker:
    def __init__(self):
        self.violations: list[str] = []

    def add(self, kind: str, message: str) -> None:
        self.violations.append(f"{kind}: {message}")

    def run(self) -> list[str]:
        self.load()
        self.check_claim_processes()
        self.check_deadlines()
        self.check_demand_claims()
        self.check_ratings_and_points()
        self.check_balances()
        self.check_audit_trail()
        return self.violations

    # -- the reads: one query per table -------------------------------------------------

    def load(self) -> None:
        self.content_types = ContentType.objects.get_for_models(Claim, Demand, InitialDemand)
        self.claims = {
            c["id"]: c
            for c in Claim.objects.order_by("id").values(
                "id",
                "status",
                "demand_id",
                "org_id",
                "process_id",
                "cancelled_at",
                "review_due_at",
                "activity_due_at",
                "escalation_level",
                "lapsed_at",
            )
        }
        self.demands = {
            d["id"]: d
            for d in Demand.objects.order_by("id").values("id", "status", "league_org_id")
        }
        self.initial_demands = dict(
            InitialDemand.objects.order_by("id").values_list("id", "status")
        )
        self.processes = {
            p["id"]: p
            for p in Process.objects.filter(flow_class=ClaimFlow)
            .order_by("id")
            .values("id", "status", "artifact_content_type_id", "artifact_object_id")
        }
        # process id → node name → the statuses of that node's tasks
        self.tasks: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        # process id → the permission of its active review task (whose queue it is in)
        self.review_permissions: dict[int, str] = {}
        for process_id, node, status, permission in (
            Task.objects.filter(process__flow_class=ClaimFlow)
            .order_by("process_id", "id")
            .values_list("process_id", "flow_task", "status", "owner_permission")
            .iterator(chunk_size=2000)
        ):
            self.tasks[process_id][node.name].append(status)
            if node.name == "review" and status in ACTIVE_TASK_STATES:
                self.review_permissions[process_id] = permission
        self.league_parents = dict(LeagueOrg.objects.values_list("id", "parent_id"))
        self.escalations: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for claim_id, level, org_id in (
            ReviewEscalation.objects.order_by("claim_id", "level")
            .values_list("claim_id", "level", "league_org_id")
            .iterator(chunk_size=2000)
        ):
            self.escalations[claim_id].append((level, org_id))
        self.ratings = {
            r["id"]: r
            for r in Rating.objects.order_by("id").values("id", "claim_id", "side", "stars")
        }
        self.ratings_by_claim: dict[int, list[dict]] = defaultdict(list)
        for rating in self.ratings.values():
            self.ratings_by_claim[rating["claim_id"]].append(rating)
        self.entries = list(
            PointsEntry.objects.order_by("id").values(
                "id", "claim_id", "rating_id", "league_org_id", "volunteer_org_id", "points"
            )
        )

    def active_nodes(self, process_id: int) -> set[str]:
        return {
            node
            for node, statuses in self.tasks.get(process_id, {}).items()
            if any(s in ACTIVE_TASK_STATES for s in statuses)
        }

    def node_done(self, process_id: int, node: str) -> bool:
        return "DONE" in self.tasks.get(process_id, {}).get(node, [])

    # -- claims and their processes -------------------------------------------------------

    def check_claim_processes(self) -> None:
        claim_ct = self.content_types[Claim].pk
        linked = set()
        for claim in self.claims.values():
            cid, status, pid = claim["id"], claim["status"], claim["process_id"]
            where = f"claim {cid} ({status})"
            if pid is None:
                self.add("claim-process", f"{where} has no process")
                continue
            linked.add(pid)
            process = self.processes.get(pid)
            if process is None:
                self.add("claim-process", f"{where}: process {pid} is not a ClaimFlow process")
                continue
            artifact = (process["artifact_content_type_id"], process["artifact_object_id"])
            if artifact != (claim_ct, cid):
                self.add(
                    "claim-process",
                    f"{where}: the artifact of process {pid} is not the claim "
                    f"(content type {artifact[0]}, object {artifact[1]})",
                )
            self.check_process_shape(claim, process)
        for pid in self.processes.keys() - linked:
            self.add("claim-process", f"process {pid} (ClaimFlow) belongs to no claim")

    def check_process_shape(self, claim: dict, process: dict) -> None:
        cid, status, pid = claim["id"], claim["status"], process["id"]
        where = f"claim {cid} ({status})"
        active = self.active_nodes(pid)
        if claim["cancelled_at"] is not None:
            # 取消流程: the administrator's cancel left the claim rejected or withdrawn and
            # cancelled its process.
            if status not in (S.REJECTED, S.WITHDRAWN):
                self.add("claim-process", f"{where} is marked cancelled in a live state")
            elif process["status"] != PROCESS.CANCELED:
                self.add(
                    "claim-process",
                    f"{where}: cancelled by an administrator but process {pid} is "
                    f"{process['status']}, expected {PROCESS.CANCELED}",
                )
            if active:
                self.add(
                    "claim-process",
                    f"{where}: process {pid} has active tasks {_names(active)}, expected []",
                )
            return
        if status == S.PENDING:
            expected_process, expected_active = [PROCESS.NEW], {"review"}
            league_org_id = self.demands[claim["demand_id"]]["league_org_id"]
            permission = self.review_permissions.get(pid)
            if permission is not None and permission != review_permission(league_org_id):
                self.add(
                    "claim-process",
                    f"{where}: the review task of process {pid} is in the queue of "
                    f"{permission!r}, not of the demand's league org {league_org_id}",
                )
        elif status == S.APPROVED:
            expected_process, expected_active = [PROCESS.NEW], {"publish_activity"}
        elif status == S.ACTIVITY_PUBLISHED:
            rated = {r["side"] for r in self.ratings_by_claim.get(cid, [])}
            expected_active = {RATE_NODE[side] for side in Side.values if side not in rated}
            if len(rated) == 1:
                expected_active.add("join_ratings")  # the first branch waits at the join
            expected_process = [PROCESS.NEW]
            if len(rated) == 2:
                self.add("claim-process", f"{where}: both sides rated but the claim is not settled")
        elif status == S.COMPLETED:
            expected_process, expected_active = [PROCESS.DONE], set()
            if not self.node_done(pid, "settle_points"):
                self.add("claim-process", f"{where}: process {pid} has no DONE settle_points task")
        elif status == S.REJECTED:
            expected_process, expected_active = [PROCESS.DONE, PROCESS.CANCELED], set()
            if process["status"] == PROCESS.DONE and not self.node_done(pid, "review"):
                self.add(
                    "claim-process",
                    f"{where}: process {pid} ended (DONE) without a DONE review task",
                )
        elif status == S.WITHDRAWN:
            expected_process, expected_active = [PROCESS.CANCELED], set()
        elif status == S.LAPSED:
            expected_process, expected_active = [PROCESS.DONE], set()
            if not self.node_done(pid, "lapsed"):
                self.add("claim-process", f"{where}: process {pid} has no DONE lapsed end")
        else:
            self.add("claim-process", f"{where}: unknown claim state")
            return
        if process["status"] not in expected_process:
            self.add(
                "claim-process",
                f"{where}: process {pid} is {process['status']}, expected "
                + " or ".join(expected_process),
            )
        if active != expected_active:
            self.add(
                "claim-process",
                f"{where}: process {pid} has active tasks {_names(active)}, "
                f"expected {_names(expected_active)}",
            )

    # -- deadlines and escalations -----------------------------------------------------------

    def ancestors(self, org_id: int) -> list[int]:
        chain, seen = [], {org_id}
        parent = self.league_parents.get(org_id)
        while parent is not None and parent not in seen:
            seen.add(parent)
            chain.append(parent)
            parent = self.league_parents.get(parent)
        return chain

    def check_deadlines(self) -> None:
        for claim in self.claims.values():
            cid, status = claim["id"], claim["status"]
            where = f"claim {cid} ({status})"
            if status == S.PENDING and claim["review_due_at"] is None:
                self.add("deadlines", f"{where} has no review_due_at")
            if status == S.APPROVED and claim["activity_due_at"] is None:
                self.add("deadlines", f"{where} has no activity_due_at")
            if status == S.LAPSED and claim["lapsed_at"] is None:
                self.add("deadlines", f"{where} has no lapsed_at")
            rows = self.escalations.get(cid, [])
            if claim["escalation_level"] != len(rows):
                self.add(
                    "deadlines",
                    f"{where}: escalation_level {claim['escalation_level']} but "
                    f"{len(rows)} escalation rows",
                )
            if not rows:
                continue
            chain = self.ancestors(self.demands[claim["demand_id"]]["league_org_id"])
            expected = list(enumerate(chain[: len(rows)], start=1))
            if rows != expected:
                self.add(
                    "deadlines",
                    f"{where}: escalations (level, org) {rows} do not follow the league "
                    f"orgs above its demand's, expected {expected}",
                )

    # -- demands and the claims that hold them ---------------------------------------------

    def check_demand_claims(self) -> None:
        claims_of: dict[int, list[dict]] = defaultdict(list)
        for claim in self.claims.values():
            claims_of[claim["demand_id"]].append(claim)
        for demand in self.demands.values():
            did, status = demand["id"], demand["status"]
            where = f"demand {did} ({status})"
            claims = claims_of.get(did, [])
            holders = [c for c in claims if c["status"] in HOLDING_CLAIM_STATES]
            held = ", ".join(f"claim {c['id']} ({c['status']})" for c in holders)
            if status == D.DRAFT and claims:
                ids = ", ".join(str(c["id"]) for c in claims)
                self.add("demand-claims", f"{where} has claims: {ids}")
            expected = HOLDER_FOR_DEMAND.get(status)
            if expected is None:
                if holders:
                    self.add("demand-claims", f"{where} is held by {held}")
            elif len(holders) != 1 or holders[0]["status"] != expected:
                self.add(
                    "demand-claims",
                    f"{where} is held by [{held}], expected exactly one {expected} claim",
                )
            if status != D.OPEN:
                for claim in claims:
                    if claim["status"] == S.PENDING:
                        self.add("demand-claims", f"{where} has pending claim {claim['id']}")

    # -- ratings and the points they earn -----------------------------------------------------

    def check_ratings_and_points(self) -> None:
        for rating in self.ratings.values():
            claim = self.claims[rating["claim_id"]]
            if claim["status"] not in (S.ACTIVITY_PUBLISHED, S.COMPLETED):
                self.add(
                    "rating",
                    f"rating {rating['id']}: its claim {claim['id']} is {claim['status']}",
                )

        entries_of_claim: dict[int, list[dict]] = defaultdict(list)
        entry_of_rating: dict[int, dict] = {}
        for entry in self.entries:
            eid, cid, rid = entry["id"], entry["claim_id"], entry["rating_id"]
            if (cid is None) != (rid is None):
                self.add("points", f"points entry {eid} has a claim or a rating but not both")
            if cid is not None:
                entries_of_claim[cid].append(entry)
            if rid is not None:
                entry_of_rating[rid] = entry
                if cid is not None and self.ratings[rid]["claim_id"] != cid:
                    self.add(
                        "points",
                        f"points entry {eid}: claim {cid} is not the claim of its rating {rid}",
                    )

        for claim in self.claims.values():
            cid = claim["id"]
            entries = entries_of_claim.get(cid, [])
            if claim["status"] != S.COMPLETED:
                for entry in entries:
                    self.add(
                        "points",
                        f"points entry {entry['id']} pays claim {cid}, which is {claim['status']}",
                    )
                continue
            ratings = self.ratings_by_claim.get(cid, [])
            if len(ratings) != 2:
                self.add(
                    "points", f"claim {cid} (completed) has {len(ratings)} ratings, expected 2"
                )
            if len(entries) != 2:
                self.add(
                    "points",
                    f"claim {cid} (completed) has {len(entries)} points entries, expected 2",
                )
            for rating in ratings:
                self.check_payment(claim, rating, entry_of_rating.get(rating["id"]))

    def check_payment(self, claim: dict, rating: dict, entry: dict | None) -> None:
        cid, rid = claim["id"], rating["id"]
        if entry is None:
            self.add("points", f"claim {cid} (completed): rating {rid} has no points entry")
            return
        if rating["side"] == Side.LEAGUE:
            payee = (None, claim["org_id"])
            payee_name = f"volunteer org {claim['org_id']}"
        else:
            payee = (self.demands[claim["demand_id"]]["league_org_id"], None)
            payee_name = f"league org {payee[0]}"
        eid = entry["id"]
        if (entry["league_org_id"], entry["volunteer_org_id"]) != payee:
            self.add("points", f"points entry {eid} for rating {rid} is not paid to {payee_name}")
        expected = points_for_rating(rating["stars"])
        if entry["points"] != expected:
            self.add(
                "points",
                f"points entry {eid} for rating {rid} ({rating['stars']} stars) is "
                f"{entry['points']} points, expected {expected}",
            )

    # -- balances ------------------------------------------------------------------------------

    def check_balances(self) -> None:
        sums = {
            (row["league_org_id"], row["volunteer_org_id"]): row["total"]
            for row in PointsEntry.objects.order_by()
            .values("league_org_id", "volunteer_org_id")
            .annotate(total=Sum("points"))
        }
        league_ids = {lid for lid, vid in sums if lid is not None}
        volunteer_ids = {vid for lid, vid in sums if vid is not None}
        orgs = [(o, (o.pk, None)) for o in LeagueOrg.objects.filter(pk__in=league_ids)]
        orgs += [(o, (None, o.pk)) for o in VolunteerOrg.objects.filter(pk__in=volunteer_ids)]
        for org, key in orgs:
            balance = scoring_selectors.points_balance(org=org)
            if balance != sums[key]:
                kind = "league org" if key[0] is not None else "volunteer org"
                self.add(
                    "balance",
                    f"{kind} {org.pk}: balance {balance} != sum of its entries {sums[key]}",
                )

    # -- the audit trail -------------------------------------------------------------------------

    def check_audit_trail(self) -> None:
        objects = {
            self.content_types[Claim].pk: (
                "claim",
                {cid: c["status"] for cid, c in self.claims.items()},
            ),
            self.content_types[Demand].pk: (
                "demand",
                {did: d["status"] for did, d in self.demands.items()},
            ),
            self.content_types[InitialDemand].pk: ("initial demand", self.initial_demands),
        }
        last: dict[tuple[int, int], str] = {}
        for record_id, ct, object_id, from_state, to_state in (
            AuditRecord.objects.filter(content_type_id__in=list(objects))
            .order_by("content_type_id", "object_id", "at", "id")
            .values_list("id", "content_type_id", "object_id", "from_state", "to_state")
            .iterator(chunk_size=2000)
        ):
            name, states = objects[ct]
            if object_id not in states:
                continue  # the record of a deleted draft: history, not a state to match
            key = (ct, object_id)
            previous = last.get(key, "")
            if from_state != previous:
                self.add(
                    "audit",
                    f"{name} {object_id}: audit record {record_id} goes from "
                    f"{from_state!r}, but the previous record left it at {previous!r}",
                )
            last[key] = to_state
        for ct, (name, states) in objects.items():
            for object_id, status in states.items():
                recorded = last.get((ct, object_id))
                if recorded is None:
                    self.add("audit", f"{name} {object_id} ({status}) has no audit record")
                elif recorded != status:
                    self.add(
                        "audit",
                        f"{name} {object_id} ({status}): its latest audit record says {recorded}",
                    )
