"""E-mail's transport security against a real SMTP server on loopback (``aiosmtpd``) with a
certificate made here and trusted through ``SSL_CERT_FILE``: ``smtp+starttls://`` upgrades
before it logs in, ``smtps://`` speaks TLS from the first byte, and neither sends to a server
whose certificate is not trusted; a plain ``smtp://`` client is refused by a server that
requires STARTTLS."""
import datetime
import ipaddress
import ssl
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from scripts import devstack
from services.notification import mail

USER, PASSWORD = "ocop@tinh.gov.vn", "p:ss word"


def self_signed(directory):
    """A certificate for 127.0.0.1 and its key, written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    certificate_file, key_file = directory / "smtp.crt", directory / "smtp.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return certificate_file, key_file


def encrypted(smtp):
    """Whether aiosmtpd's connection is TLS now (after STARTTLS, or from the first byte)."""
    return smtp.transport.get_extra_info("ssl_object") is not None


class Server:
    """aiosmtpd's handler and authenticator: records what was received, over what."""

    def __init__(self):
        self.received, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((encrypted(server), envelope.rcpt_tos))
        return "250 OK"

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((encrypted(server), auth_data.login.decode(),
                            auth_data.password.decode()))
        return AuthResult(success=(auth_data.login.decode(), auth_data.password.decode())
                          == (USER, PASSWORD))


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    certificate_file, key_file = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate_file, key_file)
    return context


def serving(server, **options):
    controller = Controller(server, hostname="127.0.0.1", port=devstack.free_port(),
                            authenticator=server, **options)
    controller.start()
    return controller


def a_message():
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = USER, "sx@example.vn", "OCOP"
    message.set_content("Sản phẩm của bạn đã được tiếp nhận.")
    return message


def test_starttls_upgrades_before_credentials_and_plain_smtp_is_refused(certificate):
    server = Server()
    controller = serving(server, tls_context=certificate, require_starttls=True)
    try:
        url = f"smtp+starttls://ocop%40tinh.gov.vn:p%3Ass%20word@127.0.0.1:{controller.port}"
        mail.send(mail.settings(url, USER), a_message())
        assert server.logins == [(True, USER, PASSWORD)]
        assert server.received == [(True, ["sx@example.vn"])]

        with pytest.raises(mail.SEND_ERRORS):
            mail.send(mail.settings(f"smtp://127.0.0.1:{controller.port}", USER), a_message())
        assert len(server.received) == 1
    finally:
        controller.stop()


def test_smtps_speaks_tls_from_the_first_byte(certificate):
    server = Server()
    # aiosmtpd's auth_require_tls only knows STARTTLS; here the socket is TLS throughout.
    controller = serving(server, server_hostname="127.0.0.1", ssl_context=certificate,
                         auth_require_tls=False)
    try:
        url = f"smtps://ocop%40tinh.gov.vn:p%3Ass%20word@127.0.0.1:{controller.port}"
        mail.send(mail.settings(url, USER), a_message())
        assert server.logins == [(True, USER, PASSWORD)]
        assert server.received == [(True, ["sx@example.vn"])]
    finally:
        controller.stop()


def test_no_mail_goes_to_a_server_whose_certificate_is_not_trusted(certificate, monkeypatch,
                                                                    tmp_path):
    stranger, _ = self_signed(tmp_path / "..")
    monkeypatch.setenv("SSL_CERT_FILE", str(stranger))
    server = Server()
    controller = serving(server, tls_context=certificate, require_starttls=True)
    try:
        url = f"smtp+starttls://ocop%40tinh.gov.vn:p%3Ass%20word@127.0.0.1:{controller.port}"
        with pytest.raises(ssl.SSLCertVerificationError):
            mail.send(mail.settings(url, USER), a_message())
        assert server.logins == [] and server.received == []
    finally:
        controller.stop()
