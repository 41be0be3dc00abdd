"""The criteria sets (bộ tiêu chí) and the list of product sets as the gateway serves them:
read from evaluation once and kept, rendered, for ``CATALOGUE_CACHE_SECONDS`` (default 5
minutes), since they change only when evaluation is deployed with new sets or errata
(``services/evaluation/criteria/``). After such a deploy every gateway process serves the
new catalogue within that time, at the first read after it; clients may keep an answer as
long (``Cache-Control: max-age``). A set that the list does not name is not found without
asking evaluation."""
import json
import time

from nameko.extensions import DependencyProvider

from chassis.errors import NotFound
from gateway.rendered import Rendered, digest_tag
from services.evaluation.schemas import CategorySchema, CriteriaSetSchema

DEFAULT_SECONDS = 300


class CachedCatalogue(DependencyProvider):
    def setup(self):
        self.seconds = float(self.container.config.get("CATALOGUE_CACHE_SECONDS",
                                                       DEFAULT_SECONDS))
        self.kept = {}  # key → (until, data, Rendered)

    def get_dependency(self, worker_ctx):
        return self

    def read(self, key, fetch, dump):
        """The answer kept under ``key``: ``fetch()`` as ``dump`` writes it, fetched
        again once it is older than the cache's time. (data, Rendered)."""
        now = time.monotonic()
        kept = self.kept.get(key)
        if kept is None or kept[0] <= now:
            data = fetch()
            body = json.dumps(dump(data), ensure_ascii=False).encode()
            kept = (now + self.seconds, data,
                    Rendered(body, digest_tag(body), max_age=int(self.seconds)))
            self.kept[key] = kept
        return kept[1], kept[2]

    def categories(self, evaluation):
        """The list of product sets (``evaluation`` is the worker's RPC proxy)."""
        return self.read("categories", evaluation.list_categories,
                         lambda data: CategorySchema(many=True).dump(data))

    def criteria_set(self, evaluation, code):
        categories, _ = self.categories(evaluation)
        if code not in {category["code"] for category in categories}:
            raise NotFound(f"Không có bộ sản phẩm {code}", f"No criteria set {code}")
        return self.read(("criteria", code), lambda: evaluation.get_criteria_set(code),
                         lambda data: CriteriaSetSchema().dump(data))
