"""Inboxes: the notification service's operations."""
from gateway.api import API
from gateway.routes import operation, query_parameter
from services.notification.schemas import MessageSchema


class NotificationApi:
    @operation("GET", f"{API}/notifications", "Hộp thư của chủ thể / A producer's inbox",
               "notification", response=MessageSchema, many=True,
               query={"producer_id": "Mã chủ thể / Producer id"})
    def list_notifications(self, request):
        return self.notification.inbox(query_parameter(request, "producer_id"))
