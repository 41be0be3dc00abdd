"""E-mail over SMTP, configured by one URL (the secret ``SMTP_URL``):

- ``smtp://[user:password@]host[:port]`` — plain SMTP (a mail catcher, a relay on the
  same network), port 25 by default;
- ``smtp+starttls://user:password@host[:port]`` — STARTTLS required, port 587 by default;
- ``smtps://user:password@host[:port]`` — TLS from the first byte, port 465 by default.

User and password are percent-encoded in the URL. The sender is ``MAIL_FROM``. With no
``SMTP_URL`` there is no e-mail channel: inbox, webhooks and the feed work without it.
"""
import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": (25, None), "smtp+starttls": (587, "starttls"), "smtps": (465, "tls")}
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str | None  # None, "starttls" or "tls"
    user: str | None
    password: str | None
    sender: str


def settings(url, sender):
    """The settings ``url`` gives; None when it is empty (no e-mail channel). A URL that
    cannot be read stops the process at start, naming the setting."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError(f"SMTP_URL: expected {', '.join(s + '://host' for s in SCHEMES)}, "
                         f"not {parts.scheme}://…")
    default_port, security = SCHEMES[parts.scheme]
    return SmtpSettings(parts.hostname, parts.port or default_port, security,
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None, sender)


def send(smtp, message):
    """Hand ``message`` to the SMTP server; raises ``smtplib.SMTPException`` or
    ``OSError`` when it is not accepted."""
    context = ssl.create_default_context()
    if smtp.security == "tls":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS,
                                  context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS)
    with client:
        if smtp.security == "starttls":
            client.starttls(context=context)
        if smtp.user:
            client.login(smtp.user, smtp.password or "")
        client.send_message(message)


SEND_ERRORS = (smtplib.SMTPException, OSError)
