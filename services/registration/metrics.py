from prometheus_client import Gauge

PRODUCTS_BY_STAGE = Gauge("ocop_products_by_stage", "Products by OCOP stage", ["stage"])
