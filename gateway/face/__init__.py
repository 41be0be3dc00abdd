"""The certificate's public face: its verification page, QR code and printable PDF.

Rendering lives here, at the HTTP edge, fed by the one public view of a certificate that
the certification service answers (``verify``), and not in the service, because:
- it is presentation of that view, with no rule of the programme to decide: the service
  keeps every rule (validity, states, what is public) and the gateway still owns no data;
- the page's absolute address, which the QR carries, is the gateway's own setting
  (``PUBLIC_BASE_URL``);
- images and PDFs would otherwise cross the broker as base64 in JSON replies, and their
  CPU cost belongs to the replicas that serve the public, which scale on their own.

The modules take plain values and return text or bytes: ``wording`` (the bilingual words
both renderings use), ``links`` (the address a certificate's QR encodes), ``qr``, ``page``
and ``pdf``.
"""
