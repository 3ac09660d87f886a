"""SMTP_TLS modes against a real aiosmtpd server: starttls, ssl, and a bad value."""

from __future__ import annotations

import ssl
import subprocess
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from statuspage.notify import smtp

from .checkpoint_helpers import free_port


class Sink:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


@pytest.fixture
def trusted(certificate, monkeypatch) -> ssl.SSLContext:
    cert, key = certificate
    # The client verifies the server as in production, trusting only this test CA.
    monkeypatch.setenv("SSL_CERT_FILE", cert)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server


def message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "status@acme.test"
    msg["To"] = "lead@acme.test"
    msg["Subject"] = "TLS check"
    msg.set_content("hello\n")
    return msg


def settings(port: int, mode: str) -> dict:
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_TLS": mode,
        "MAIL_FROM": "status@acme.test",
        "PAGE_NAME": "Acme",
    }


def test_starttls_upgrades_before_sending(trusted):
    sink, port = Sink(), free_port()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        tls_context=trusted,
        require_starttls=True,
    )
    controller.start()
    try:
        smtp.send(settings(port, "starttls"), message())
        # Without STARTTLS this server refuses the mail.
        with pytest.raises(Exception, match="STARTTLS|530"):
            smtp.send(settings(port, "none"), message())
    finally:
        controller.stop()
    assert len(sink.received) == 1
    assert b"TLS check" in sink.received[0]


def test_ssl_mode_speaks_tls_from_the_start(trusted):
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ssl_context=trusted)
    controller.start()
    try:
        smtp.send(settings(port, "ssl"), message())
    finally:
        controller.stop()
    assert len(sink.received) == 1


def test_unknown_tls_mode_is_a_clear_error():
    with pytest.raises(smtp.MailConfigError, match="none, starttls or ssl"):
        smtp.connect(settings(25, "tls1.3"))
