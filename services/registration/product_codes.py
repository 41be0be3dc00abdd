"""The numbers the decision gives a dossier and a product (Decision 26/2026 Art. 6, Annex
II and Annex III Form 01; unit codes of Decision 19/2025/QĐ-TTg):

- the registration form number (số phiếu đăng ký, Form 01): ``(serial)/PĐK-(province)-
  (commune)-(year)``, given when the commune receives the dossier;
- the product code (mã số sản phẩm, heading of every criteria table): ``(T)-(X)-(STT)-(year)``
  where T is the province code, X the commune code, STT the serial number the commune keeps
  for its products (số thứ tự sản phẩm do xã lập thống kê) and the year the evaluation year.

Both serials count per commune and year, each from its own counter document
(``store.RegistrationStore.next_serial``): one atomic ``$inc`` per number, so concurrent
dossiers never share a serial. Nor is a serial lost: an act that numbers a product first
claims it (``store.RegistrationStore.claim``), so two at once cannot both draw, and an
act refused for any other reason is refused before it draws.
"""
FORM = "form"
PRODUCT = "product"
# A claim whose process died is taken over after this long, with the serial it drew.
CLAIM_SECONDS = 60


def form_number(serial, province_code, commune_code, year):
    return f"{serial}/PĐK-{province_code}-{commune_code}-{year}"


def product_code(serial, province_code, commune_code, year):
    return f"{province_code}-{commune_code}-{serial}-{year}"
