"""Who did what, to which object, when: the caller's identity across RPC, and the audit
trail every service keeps of its commands.

The gateway names the caller (and the object the policy located) for every RPC call its
worker makes (``Caller``); a service's commands are declared with ``@command``, which
refuses a call that carries no identity and records it in the service's ``audit``
collection before it runs and again with its outcome, so a crash in between leaves a
``pending`` entry rather than no entry.
"""
import json
import uuid
from functools import wraps

from marshmallow import Schema, fields
from nameko.extensions import DependencyProvider
from pymongo import DESCENDING

from chassis import correlation
from chassis.errors import OcopError, Unauthenticated
from chassis.events import timestamp
from chassis.identity import CONTEXT_KEY, Identity
from chassis.mongo import MongoDatabase
from chassis.rpc import rpc

TARGET_KEY = "ocop_target"


class Caller(DependencyProvider):
    """For the gateway: ``self.caller.act_as(identity, target)`` before its RPC calls."""

    def get_dependency(self, worker_ctx):
        return CallerOfWorker(worker_ctx)


class CallerOfWorker:
    def __init__(self, worker_ctx):
        self.worker_ctx = worker_ctx

    def act_as(self, identity, target=None):
        self.worker_ctx.data[CONTEXT_KEY] = identity.to_context()
        if target is not None:
            self.worker_ctx.data[TARGET_KEY] = target.to_context()


class AuditTrail(DependencyProvider):
    """A service's audit trail: declare it as ``audit = AuditTrail()``."""

    def setup(self):
        self.mongo = MongoDatabase.of(self.container)

    @property
    def collection(self):
        return self.mongo.database["audit"]

    def start(self):
        self.mongo.prepare_when_reachable("the audit trail", self.create_indexes)

    def create_indexes(self):
        self.collection.create_index([("at", DESCENDING)])
        self.collection.create_index([("province", 1), ("at", DESCENDING)])

    def get_dependency(self, worker_ctx):
        return Audit(self.collection, self.container.service_name, worker_ctx.data)


class Audit:
    def __init__(self, collection, service, context):
        self.collection, self.service = collection, service
        self.caller = Identity.from_context(context.get(CONTEXT_KEY))
        self.target = json.loads(context.get(TARGET_KEY) or "{}")

    def begin(self, action, arguments):
        if self.caller is None:
            raise Unauthenticated("Lệnh không mang danh tính người gọi",
                                  "A command must carry the caller's identity")
        entry = {"_id": str(uuid.uuid4()), "at": timestamp(), "service": self.service,
                 "action": f"{self.service}.{action}", "actor": self.caller.as_actor(),
                 "object": self.target.get("object") or _first_identifier(arguments),
                 "province": self.target.get("province"), "outcome": "pending",
                 # Ties the entry to the request that caused it (the X-Correlation-Id).
                 "correlation_id": correlation.current()}
        self.collection.insert_one(entry)
        return entry["_id"]

    def end(self, entry_id, outcome, result=None):
        change = {"outcome": outcome, "ended_at": timestamp()}
        if isinstance(result, dict) and "id" in result:
            change["result_id"] = result["id"]
        self.collection.update_one({"_id": entry_id}, {"$set": change})

    def entries(self, province=None, limit=100):
        query = {} if province is None else {"province": province}
        return [{"id": e.pop("_id"), **e} for e in
                self.collection.find(query).sort("at", DESCENDING).limit(limit)]


def _first_identifier(arguments):
    return next((a for a in arguments if isinstance(a, str)), None)


def command(method):
    """An RPC entrypoint that changes state: only for an identified caller, and audited."""
    @wraps(method)
    def audited(self, *args, **kwargs):
        entry = self.audit.begin(method.__name__, args)
        try:
            result = method(self, *args, **kwargs)
        except OcopError as exc:
            self.audit.end(entry, f"refused {exc.status}")
            raise
        except Exception:
            self.audit.end(entry, "failed")
            raise
        self.audit.end(entry, "done", result)
        return result
    return rpc(audited)


class AuditEntrySchema(Schema):
    id = fields.String(required=True)
    at = fields.String(required=True, metadata={"format": "date-time"})
    ended_at = fields.String(metadata={"format": "date-time"})
    service = fields.String(required=True)
    action = fields.String(required=True, metadata={"description": "service.command"})
    actor = fields.Dict(required=True, metadata={
        "description": "subject, roles, name and address of the caller"})
    object = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    correlation_id = fields.String(allow_none=True, metadata={
        "description": "The X-Correlation-Id of the request that ran the command"})
    outcome = fields.String(required=True, metadata={
        "description": "pending, done, refused <status> or failed"})
    result_id = fields.String()


class AuditedService:
    """Mix into a service with commands: its audit trail and the read of it."""

    audit = AuditTrail()

    @rpc
    def audit_trail(self, province=None, limit=100):
        return self.audit.entries(province, limit)
