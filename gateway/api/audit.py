"""The audit trail: who did what, when, across the services that record it."""
from chassis.audit import AuditEntrySchema
from chassis.errors import InvalidInput
from gateway.api import API
from gateway.routes import operation

# The services whose commands are audited, each keeping its own trail.
AUDITED = ("registration", "evaluation", "certification", "notification")


class AuditApi:
    @operation("GET", f"{API}/audit", "Nhật ký thao tác / Audit trail: who did what, when",
               "audit", response=AuditEntrySchema, many=True, optional_query={
                   "province": "Mã tỉnh; mặc định là tỉnh của bạn / Province code; "
                               "yours by default",
                   "limit": "Tối đa / At most (1–500, 100)"})
    def read_audit_trail(self, request):
        limit = request.args.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= 500:
            raise InvalidInput("Tham số limit không hợp lệ", "limit must be 1 to 500",
                               [{"parameter": "limit", "detail": "1–500"}])
        entries = [entry for service in AUDITED for entry in
                   getattr(self, service).audit_trail(request.target.province, int(limit))]
        return sorted(entries, key=lambda e: e["at"], reverse=True)[:int(limit)]
