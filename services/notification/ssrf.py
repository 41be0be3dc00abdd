"""The guard that keeps webhook deliveries off the platform's own network (server-side
request forgery).

An agency names the URL, the platform makes the request: without this guard an agency
could make notification call the cloud's metadata service (169.254.169.254), the broker's
management API or any address inside the cluster. So an endpoint:

- is ``https`` (plain ``http`` only where ``WEBHOOK_ALLOW_HTTP`` is set: development);
- has no user or password in its URL;
- resolves ONLY to public addresses: not loopback, private (RFC 1918, unique-local),
  link-local (which holds the metadata address), shared (100.64/10), multicast, reserved
  or unspecified — unless an address falls in a network of ``WEBHOOK_ALLOWED_NETWORKS``
  (e.g. an agency's VPN range).

It is checked when the endpoint is registered and again at each delivery, where the
request is made to the very address that was checked (``Destination``): a name that
resolved to a public address at registration and to a private one later (DNS rebinding)
is refused then.
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from chassis.errors import InvalidInput, field_error


@dataclass(frozen=True)
class Policy:
    allow_http: bool = False
    allowed_networks: tuple = ()

    @classmethod
    def from_config(cls, allow_http, allowed_networks):
        """From the settings' text: a boolean and a comma-separated list of networks."""
        networks = tuple(ipaddress.ip_network(n.strip(), strict=False)
                         for n in str(allowed_networks or "").split(",") if n.strip())
        return cls(str(allow_http).lower() in ("1", "true", "yes"), networks)


@dataclass(frozen=True)
class Destination:
    """Where a delivery goes: the URL's parts and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    target: str  # path and query
    address: str


def refuse(pointer, vi, en):
    """The refusal (422, as it crosses RPC) naming the field ``pointer``."""
    return InvalidInput(f"Địa chỉ webhook không được chấp nhận: {vi}",
                   f"The webhook URL is refused: {en}", [field_error(pointer, vi, en)])


def check_url(url, policy, pointer="/url"):
    """The URL's parts, or ``InvalidInput`` naming ``pointer``; resolves nothing."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse(pointer, "không đọc được URL", "not a URL") from None
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme not in schemes:
        raise refuse(pointer, "phải dùng https", "it must use https")
    if not parts.hostname:
        raise refuse(pointer, "thiếu tên máy chủ", "it names no host")
    if parts.username or parts.password:
        raise refuse(pointer, "không được chứa tên đăng nhập, mật khẩu",
                     "it may not carry a user or password")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), \
        (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def forbidden(address, policy):
    """Why ``address`` may not be called, or None if it may."""
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if any(ip in network for network in policy.allowed_networks):
        return None
    for kind, vi, en in (("is_loopback", "địa chỉ loopback", "a loopback address"),
                         ("is_link_local", "địa chỉ link-local (kể cả dịch vụ metadata)",
                          "a link-local address (the metadata service among them)"),
                         ("is_private", "địa chỉ mạng nội bộ", "a private address"),
                         ("is_multicast", "địa chỉ multicast", "a multicast address")):
        if getattr(ip, kind):
            return vi, en
    if not ip.is_global:
        return "địa chỉ không công khai", "not a public address"
    return None


def resolve(url, policy, resolver=socket.getaddrinfo, pointer="/url"):
    """The ``Destination`` of ``url``: it must resolve, and to public (or allowed)
    addresses only; else ``InvalidInput`` naming ``pointer`` and the address."""
    scheme, host, port, target = check_url(url, policy, pointer)
    try:
        addresses = list(dict.fromkeys(
            info[4][0] for info in resolver(host, port, type=socket.SOCK_STREAM)))
    except (socket.gaierror, UnicodeError):
        raise refuse(pointer, f"không phân giải được tên {host}",
                     f"the name {host} does not resolve") from None
    for address in addresses:
        reason = forbidden(address, policy)
        if reason:
            raise refuse(pointer, f"{host} trỏ tới {address}, {reason[0]}",
                         f"{host} resolves to {address}, {reason[1]}")
    if not addresses:
        raise refuse(pointer, f"không phân giải được tên {host}",
                     f"the name {host} does not resolve")
    return Destination(scheme, host, port, target, addresses[0])
