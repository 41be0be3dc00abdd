from prometheus_client import Gauge

from services.registration.store import RegistrationStore

PRODUCTS_BY_STAGE = Gauge("ocop_products_by_stage", "Products by OCOP stage", ["stage"])


def count_products_by_stage(database):
    """Read at each scrape of /metrics (chassis.web.Operations)."""
    for stage, count in RegistrationStore(database).count_by_stage().items():
        PRODUCTS_BY_STAGE.labels(stage).set(count)
