"""Seeded, deterministic documents shaped like Infra Mind's collections.

Id scheme
---------
Users are ``user-0000`` … ``user-{users-1:04d}``; the audited user is :data:`AUDITED_USER`
(``user-0000``) and owns ``docs_per_user`` assessments. Every other user owns
``max(1, docs_per_user // 10)`` assessments (so the collections hold other users'
documents too, as a real one does, and a collection scan reads more than it returns).
Each assessment has exactly one recommendation (keyed by ``assessment_id`` =
``str(assessment _id)``; **no** ``user_id`` field, like the real model) and one report
(``user_id`` and ``assessment_id``). So "size N" means N documents in each of the three
collections for the audited user, 3·N documents for the legacy load.

``_id`` values are ObjectIds derived from a counter and the seed (deterministic).
``created_at`` values are unique per collection (no ties in "recent" orderings) and
truncated to milliseconds (what BSON keeps). A share ``aware_share`` of the datetimes are
timezone-aware (UTC), the rest naive — both occur in the real data.

Profiles
--------
``realistic``
    Field sizes of the reference: assessment ≈ 3.4 KB (≈ 5.3 KB with ``draft_data``, 30 %),
    recommendation ≈ 10 KB, report ≈ 5 KB (10 % carry a 3,500-word ``content_text``).
``heavy``
    Sized so that the legacy load of 1,000 assessments (with their recommendations and
    reports) decodes to ≈ 50 MB in the API process, as the seed assumes.
"""

from __future__ import annotations

import copy
import logging
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from bson import ObjectId
from bson.decimal128 import Decimal128

from ..config import SCRATCH_DB_PREFIX
from ..errors import ParameterError, SourceError, UnsafeOperationError, one_line
from ..mongodb.queries import SEED_INDEXES


logger = logging.getLogger(__name__)

AUDITED_USER = "user-0000"
COLLECTIONS: tuple[str, ...] = ("assessments", "recommendations", "reports")
PROFILES: tuple[str, ...] = ("realistic", "heavy")

ASSESSMENT_STATUSES = ("draft", "in_progress", "agent_analysis", "generating_report", "completed", "failed")
_STATUS_WEIGHTS = (8, 10, 5, 4, 65, 8)
PRIORITIES = ("low", "medium", "high", "critical")
_PRIORITY_WEIGHTS = (20, 40, 30, 10)
CATEGORIES = ("compute", "storage", "networking", "database", "security", "ml_platform", "cost_optimization")
REPORT_TYPES = ("executive_summary", "technical_roadmap", "cost_analysis", "compliance_report",
                "architecture_overview", "full_assessment", "comprehensive")
REPORT_FORMATS = ("pdf", "html", "json", "markdown")
REPORT_STATUSES = ("pending", "generating", "completed", "failed")
_REPORT_STATUS_WEIGHTS = (10, 5, 80, 5)
CONFIDENCE_LEVELS = ("low", "medium", "high", "very_high")
PROVIDERS = ("aws", "azure", "gcp")
AGENTS = ("cto_agent", "cloud_engineer_agent", "research_agent", "compliance_agent", "mlops_agent")

#: Field sizes (characters of filler text) per profile.
_PROFILES: dict[str, dict[str, Any]] = {
    "realistic": {
        "requirements_chars": 700, "draft_share": 0.3, "draft_chars": 1800,
        "summary_chars": 400, "rec_data_chars": 6300, "services": 3, "service_chars": 350,
        "report_chars": 2600, "long_report_share": 0.1, "long_report_chars": 22000,
    },
    "heavy": {
        "requirements_chars": 1600, "draft_share": 1.0, "draft_chars": 2800,
        "summary_chars": 500, "rec_data_chars": 6500, "services": 6, "service_chars": 600,
        "report_chars": 3900, "long_report_share": 0.0, "long_report_chars": 22000,
    },
}

_WORDS = ("cloud latency throughput replica shard kubernetes autoscaling budget compliance "
          "gdpr hipaa soc2 region availability workload inference training gpu storage "
          "network egress reserved spot migration observability terraform pipeline cache "
          "database postgres mongodb redis kafka queue serverless container cost savings "
          "architecture roadmap risk mitigation security encryption identity backup").split()

_T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _corpus(rng: random.Random, n_chars: int = 65_536) -> str:
    words: list[str] = []
    total = 0
    while total < n_chars:
        w = rng.choice(_WORDS)
        words.append(w)
        total += len(w) + 1
    return " ".join(words)


class _Text:
    """Cheap deterministic filler: slices of one seeded corpus."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.corpus = _corpus(rng)

    def __call__(self, n: int) -> str:
        if n <= 0:
            return ""
        out = []
        while n > 0:
            take = min(n, len(self.corpus) // 2)
            start = self.rng.randrange(0, len(self.corpus) - take)
            out.append(self.corpus[start:start + take])
            n -= take
        return "".join(out)


def _oid(counter: int, seed: int) -> ObjectId:
    # 4-byte timestamp | 5 bytes seed | 3 bytes counter → 12 bytes, deterministic
    ts = 1_735_689_600 + counter // 1000  # 2025-01-01 onward
    return ObjectId(ts.to_bytes(4, "big") + (seed % (1 << 40)).to_bytes(5, "big") + (counter % (1 << 24)).to_bytes(3, "big"))


def _when(rng: random.Random, base: datetime, aware_share: float) -> datetime:
    d = base.replace(microsecond=(base.microsecond // 1000) * 1000)
    if rng.random() < aware_share:
        return d
    return d.replace(tzinfo=None)


def _assessment(rng: random.Random, text: _Text, p: dict[str, Any], oid: ObjectId, user: str,
                created: datetime, aware: float) -> dict[str, Any]:
    status = rng.choices(ASSESSMENT_STATUSES, _STATUS_WEIGHTS)[0]
    rc = p["requirements_chars"]
    doc: dict[str, Any] = {
        "_id": oid,
        "user_id": user,
        "title": f"Infrastructure assessment {text(24)}",
        "description": text(180),
        "business_requirements": {
            "company_size": rng.choice(("startup", "small", "medium", "large", "enterprise")),
            "industry": rng.choice(("fintech", "healthcare", "retail", "saas", "media")),
            "budget_constraints": {"monthly_budget": rng.randrange(1_000, 200_000), "currency": "USD",
                                   "notes": text(rc // 4)},
            "business_goals": [text(60) for _ in range(3)],
            "compliance_requirements": rng.sample(("gdpr", "hipaa", "soc2", "pci_dss", "iso27001"), 2),
            "notes": text(rc // 2),
        },
        "technical_requirements": {
            "workload_types": rng.sample(("web_application", "ml_training", "ml_inference", "data_processing",
                                          "batch", "streaming"), 3),
            "performance_targets": {"p95_latency_ms": rng.choice((100, 200, 500)),
                                    "availability": rng.choice((99.0, 99.9, 99.95))},
            "scaling_requirements": {"peak_rps": rng.randrange(10, 50_000), "notes": text(rc // 4)},
            "notes": text(rc // 2),
        },
        "status": status,
        "priority": rng.choices(PRIORITIES, _PRIORITY_WEIGHTS)[0],
        "agent_states": {a: {"status": rng.choice(("pending", "running", "completed")), "note": text(60)}
                         for a in AGENTS},
        "workflow_progress": {"phase": status, "log": [text(50) for _ in range(3)]},
        "progress": {"current_step": status, "completed_steps": list(ASSESSMENT_STATUSES[:3]),
                     "total_steps": 5, "progress_percentage": round(rng.uniform(0, 100), 1)},
        "metadata": {"source": "web_form", "version": "2.1", "client": text(40)},
        "tags": rng.sample(("ml", "web", "cost", "migration", "compliance", "gpu"), 2),
        "created_at": _when(rng, created, aware),
        "updated_at": _when(rng, created + timedelta(minutes=rng.randrange(1, 600)), aware),
    }
    # completion_percentage: a float, or missing (both occur)
    if rng.random() < 0.85:
        doc["completion_percentage"] = 100.0 if status == "completed" else round(rng.uniform(0, 95), 1)
    if status not in ("draft",):
        doc["started_at"] = _when(rng, created + timedelta(seconds=30), aware)
    if status == "completed":
        doc["completed_at"] = _when(rng, created + timedelta(minutes=45), aware)
    if rng.random() < p["draft_share"]:
        doc["draft_data"] = {"form": text(p["draft_chars"]), "step": rng.randrange(1, 6)}
    return doc


def _recommendation(rng: random.Random, text: _Text, p: dict[str, Any], oid: ObjectId, assessment_id: str,
                    created: datetime, aware: float) -> dict[str, Any]:
    monthly = round(rng.uniform(50, 25_000), 2)
    savings = round(rng.uniform(0, 60_000), 2)
    services = [{
        "service_name": f"{rng.choice(PROVIDERS)}-{text(12).strip()}",
        "provider": rng.choice(PROVIDERS),
        "service_category": rng.choice(CATEGORIES),
        "estimated_monthly_cost": Decimal128(f"{rng.uniform(10, 5000):.2f}"),
        "configuration": {"instance_type": rng.choice(("m5.large", "n2-standard-4", "D4s_v5")),
                          "count": rng.randrange(1, 20)},
        "reasons": text(p["service_chars"]),
    } for _ in range(p["services"])]
    return {
        "_id": oid,
        "assessment_id": assessment_id,
        "agent_name": rng.choice(AGENTS),
        "agent_version": "1.4.2",
        "title": f"Recommendation: {text(30)}",
        "summary": text(p["summary_chars"]),
        "confidence_level": rng.choice(CONFIDENCE_LEVELS),
        "confidence_score": rng.random(),
        "recommendation_data": {"analysis": text(p["rec_data_chars"]), "provider": rng.choice(PROVIDERS),
                                "region": rng.choice(("us-east-1", "eu-west-1", "asia-south1"))},
        "recommended_services": services,
        "cost_estimates": {"monthly_cost": monthly, "annual_cost": round(monthly * 12, 2),
                           "setup_cost": round(rng.uniform(0, 20_000), 2),
                           "roi_projection": {"annual_savings": savings}},
        "total_estimated_monthly_cost": Decimal128(f"{monthly:.2f}"),
        "benefits": [text(80) for _ in range(3)],
        "implementation_steps": [text(100) for _ in range(4)],
        "risks": [text(80) for _ in range(2)],
        "priority": rng.choices(PRIORITIES, _PRIORITY_WEIGHTS)[0],
        "category": rng.choice(CATEGORIES),
        "tags": rng.sample(("ml", "web", "cost", "migration", "compliance", "gpu"), 2),
        "created_at": _when(rng, created, aware),
        "updated_at": _when(rng, created + timedelta(minutes=5), aware),
    }


def _report(rng: random.Random, text: _Text, p: dict[str, Any], oid: ObjectId, user: str, assessment_id: str,
            created: datetime, aware: float) -> dict[str, Any]:
    long = rng.random() < p["long_report_share"]
    content = text(p["long_report_chars"] if long else p["report_chars"])
    status = rng.choices(REPORT_STATUSES, _REPORT_STATUS_WEIGHTS)[0]
    doc = {
        "_id": oid,
        "report_id": f"rpt-{oid}",
        "assessment_id": assessment_id,
        "user_id": user,
        "title": f"Report {text(30)}",
        "report_type": rng.choice(REPORT_TYPES),
        "format": rng.choice(REPORT_FORMATS),
        "status": status,
        "progress_percentage": 100.0 if status == "completed" else round(rng.uniform(0, 99), 1),
        "sections": [{"title": text(20), "order": i} for i in range(6)],
        "recommendations": [{"title": text(30), "priority": rng.choice(PRIORITIES)} for _ in range(3)],
        "content_text": content,
        "word_count": content.count(" ") + 1,
        "file_size_bytes": len(content) * 2,
        "completeness_score": rng.random(),
        "confidence_score": rng.random(),
        "created_at": _when(rng, created, aware),
        "updated_at": _when(rng, created + timedelta(minutes=3), aware),
    }
    if status == "completed":
        doc["completed_at"] = _when(rng, created + timedelta(minutes=8), aware)
    return doc


def generate_dataset(*, users: int, docs_per_user: int, profile: str = "realistic", seed: int = 42,
                     aware_share: float = 0.5) -> dict[str, list[dict]]:
    """Generate the three collections.

    Parameters
    ----------
    users : int
        Number of users (≥ 1); the audited one is ``user-0000``.
    docs_per_user : int
        Assessments (and recommendations, and reports) of the audited user (≥ 1); other
        users own ``max(1, docs_per_user // 10)`` each.
    profile : {"realistic", "heavy"}
        Field-size profile (see the module docstring).
    seed : int
        Random seed; the same arguments always give the same documents.
    aware_share : float
        Share (0–1) of datetimes that are timezone-aware; the rest are naive.

    Returns
    -------
    dict
        ``{"assessments": [...], "recommendations": [...], "reports": [...]}``.

    Raises
    ------
    ParameterError
        Bad sizes, profile or share.
    """
    for name, value in (("users", users), ("docs_per_user", docs_per_user)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ParameterError(f"parameter '{name}': must be a positive integer, got {value!r}")
    if profile not in _PROFILES:
        raise ParameterError(f"parameter 'profile': {profile!r} is not one of {', '.join(PROFILES)}")
    if not 0.0 <= float(aware_share) <= 1.0:
        raise ParameterError(f"parameter 'aware_share': must be within 0..1, got {aware_share!r}")
    p = _PROFILES[profile]
    rng = random.Random(seed)
    text = _Text(random.Random(seed + 1))
    out: dict[str, list[dict]] = {c: [] for c in COLLECTIONS}
    counter = 0
    others = max(1, docs_per_user // 10)
    minute = 0
    for u in range(users):
        user = f"user-{u:04d}"
        n = docs_per_user if u == 0 else others
        for _ in range(n):
            minute += 1
            created = _T0 + timedelta(minutes=minute * 7, milliseconds=rng.randrange(0, 60_000))
            a_oid, r_oid, p_oid = (_oid(counter + k, seed) for k in range(3))
            counter += 3
            out["assessments"].append(_assessment(rng, text, p, a_oid, user, created, aware_share))
            out["recommendations"].append(
                _recommendation(rng, text, p, r_oid, str(a_oid), created + timedelta(hours=1), aware_share))
            out["reports"].append(
                _report(rng, text, p, p_oid, user, str(a_oid), created + timedelta(hours=2), aware_share))
    return out


def _db_name(db: Any) -> str:
    return str(getattr(db, "name", ""))


def _is_mongomock(db: Any) -> bool:
    return type(db).__module__.startswith("mongomock")


def load_into(db: Any, dataset: dict[str, list[dict]], *, allow_writes: bool = False) -> None:
    """Insert a generated dataset into a database.

    The embedded engine (mongomock) is always written to. A real MongoDB is written to only
    when the target database is empty and its name starts with
    :data:`analysis.config.SCRATCH_DB_PREFIX`, or when ``allow_writes`` is set.

    Parameters
    ----------
    db : pymongo.database.Database or mongomock.Database
        The target database.
    dataset : dict
        Output of :func:`generate_dataset`.
    allow_writes : bool
        Write into a real database whatever its name and content.

    Raises
    ------
    UnsafeOperationError
        The real target is not an empty scratch database and ``allow_writes`` is not set.
    SourceError
        The server cannot be reached or refuses the write.
    """
    if not _is_mongomock(db) and not allow_writes:
        name = _db_name(db)
        if not name.startswith(SCRATCH_DB_PREFIX):
            raise UnsafeOperationError(
                f"MongoDB database '{name}': refusing to write a synthetic dataset into a database whose name "
                f"does not start with '{SCRATCH_DB_PREFIX}' (use a scratch database or allow_writes)")
        try:
            existing = db.list_collection_names()
        except Exception as exc:  # pymongo errors: unreachable, auth
            raise SourceError(f"MongoDB database '{name}': cannot list collections: {one_line(exc, 200)}") from None
        if existing:
            raise UnsafeOperationError(
                f"MongoDB database '{name}': refusing to write into a non-empty database "
                f"({len(existing)} collections; drop it or use allow_writes)")
    try:
        for coll in COLLECTIONS:
            docs = dataset.get(coll, [])
            if docs:
                # mongomock keeps what it is given; give it copies so callers' data stays intact
                db[coll].insert_many([copy.deepcopy(d) for d in docs] if _is_mongomock(db) else docs,
                                     ordered=False)
    except UnsafeOperationError:
        raise
    except Exception as exc:
        raise SourceError(f"MongoDB database '{_db_name(db)}': insert failed: {one_line(exc, 200)}") from None
    logger.info("loaded %s into %s", {c: len(v) for c, v in dataset.items()}, _db_name(db))


def create_indexes(db: Any, indexes: list[tuple[str, list[tuple[str, int]]]] | None = None) -> None:
    """Create the seed's dashboard indexes (default :data:`~analysis.mongodb.queries.SEED_INDEXES`)."""

    for coll, keys in indexes if indexes is not None else SEED_INDEXES:
        db[coll].create_index(keys)
