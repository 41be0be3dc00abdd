"""Inboxes, contacts, the agencies' event feed and webhooks: the notification service's
operations."""
from gateway.api import API
from gateway.routes import operation, paging, query_parameter
from services.notification.schemas import MailContactSchema, MailContactViewSchema, \
    DeliverySchema, EndpointSchema, FeedPageSchema, MessageSchema, NewEndpointSchema, \
    ReplaySchema, ReplayedSchema, UnreadSchema

RECIPIENT = ("Hộp thư: producer:<id>, commune:<mã xã>, province:<mã tỉnh>, "
             "council:<hội đồng>, central, agency:<subject> / The inbox")
WEBHOOK = f"{API}/webhooks/<string:webhook_id>"


class NotificationApi:
    @operation("GET", f"{API}/notifications", "Hộp thư / An inbox", "notification",
               response=MessageSchema, paged=True, query={"recipient": RECIPIENT})
    def list_notifications(self, request):
        return self.notification.inbox(query_parameter(request, "recipient"), **paging(request))

    @operation("GET", f"{API}/notifications/unread", "Số thông báo chưa đọc / "
               "How many notifications are unread", "notification", response=UnreadSchema,
               query={"recipient": RECIPIENT})
    def count_unread(self, request):
        return self.notification.unread(query_parameter(request, "recipient"))

    @operation("POST", f"{API}/notifications/<string:item_id>/read",
               "Đánh dấu đã đọc / Mark a notification read", "notification",
               response=MessageSchema)
    def mark_read(self, request, item_id):
        return self.notification.mark_read(item_id)

    @operation("PUT", f"{API}/notifications/contacts/<string:recipient>",
               "Địa chỉ e-mail và ngôn ngữ của hộp thư / Where an inbox's e-mail goes",
               "notification", body=MailContactSchema, response=MailContactViewSchema)
    def set_contact(self, request, body, recipient):
        return self.notification.set_contact(recipient, body)

    @operation("GET", f"{API}/events", "Dòng sự kiện cho cơ quan / The agencies' event feed",
               "feed", response=FeedPageSchema, optional_query={
                   "after": "Con trỏ (bỏ trống: từ đầu) / The cursor (none: from the start)",
                   "types": "Loại sự kiện, phân cách bởi dấu phẩy / Event types, "
                            "comma-separated (e.g. certificate.issued)",
                   "province": "Mã tỉnh / Province code",
                   "limit": "1–200, mặc định 100 / default 100"})
    def read_events(self, request):
        limit = request.args.get("limit", "100").strip()
        return self.notification.events(
            request.args.get("after") or None, request.args.get("types") or None,
            request.target.province, int(limit) if limit.isdigit() else limit)

    @operation("POST", f"{API}/webhooks", "Đăng ký webhook / Register a webhook endpoint",
               "webhooks", status=201, body=NewEndpointSchema, response=EndpointSchema)
    def create_webhook(self, request, body):
        return self.notification.create_endpoint(body)

    @operation("GET", f"{API}/webhooks", "Webhook của cơ quan / Your webhook endpoints",
               "webhooks", response=EndpointSchema, many=True)
    def list_webhooks(self, request):
        return self.notification.endpoints_of(request.target.agency)

    @operation("POST", f"{WEBHOOK}/secret", "Đổi khóa bí mật (khóa cũ còn hiệu lực một "
               "thời gian) / Rotate the secret (the previous one stays valid a while)",
               "webhooks", response=EndpointSchema)
    def rotate_webhook_secret(self, request, webhook_id):
        return self.notification.rotate_secret(webhook_id)

    @operation("POST", f"{WEBHOOK}/enable", "Bật lại webhook / Enable a disabled endpoint",
               "webhooks", response=EndpointSchema)
    def enable_webhook(self, request, webhook_id):
        return self.notification.enable_endpoint(webhook_id)

    @operation("GET", f"{WEBHOOK}/deliveries", "Nhật ký gửi / The endpoint's delivery log",
               "webhooks", response=DeliverySchema, paged=True)
    def list_deliveries(self, request, webhook_id):
        return self.notification.delivery_log(webhook_id, **paging(request))

    @operation("POST", f"{WEBHOOK}/deliveries/<string:delivery_id>/replay",
               "Gửi lại một lần gửi / Send one delivery again", "webhooks",
               response=DeliverySchema)
    def replay_delivery(self, request, webhook_id, delivery_id):
        return self.notification.replay_delivery(webhook_id, delivery_id)

    @operation("POST", f"{WEBHOOK}/replays", "Gửi lại các lần gửi trong khoảng thời gian / "
               "Send again the deliveries of a time range", "webhooks", body=ReplaySchema,
               response=ReplayedSchema)
    def replay_deliveries(self, request, body, webhook_id):
        return self.notification.replay_range(webhook_id, body)
