"""Certification's nameko entrypoints."""
from nameko.dependency_providers import Config

from chassis.audit import AuditedService, command
from chassis.handlers import handle_event
from chassis.mongo import MongoDatabase
from chassis.outbox import OutboxRelay
from chassis.rpc import BoundedRpcProxy, rpc
from chassis.schemas import load
from chassis.timer import configured_timer
from chassis.web import OperationsEndpoints
from services.certification import imported, statistics_store, store, trade, workflow
from services.certification.reporting_entrypoints import ReportingEntrypoints
from services.certification.schemas import NewFairSchema, NewListingSchema, \
    NewPointOfSaleSchema, PromotedProductSchema, RecognitionSchema, RevocationSchema
from services.certification.validity import EXPIRED, REVOKED


class CertificationService(ReportingEntrypoints, OperationsEndpoints, AuditedService):
    name = "certification"

    db = MongoDatabase(lambda database: [store.prepare(database),
                                         store.prepare_promotion(database),
                                         imported.prepare(database),
                                         statistics_store.prepare(database)])
    relay = OutboxRelay("certificates", "points_of_sale", "placements", "withdrawals")
    evaluation = BoundedRpcProxy("evaluation")
    config = Config()

    @property
    def store(self):
        return store.CertificationStore(self.db)

    @property
    def promotions(self):
        return store.PromotionStore(self.db)

    @property
    def today(self):
        return workflow.today(self.config.get("CERTIFICATION_TODAY"))

    @rpc
    def verify(self, code):
        return workflow.verify(self.store, code, self.today)

    @rpc
    def public_records(self, limit, after=None):
        return workflow.public_records(self.store, limit, after)

    @rpc
    def public_record(self, code):
        return workflow.public_record(self.store, code)

    @rpc
    def certificates(self, query, limit, cursor):
        return workflow.certificates(self.store, query, limit, cursor, self.today)

    @rpc
    def certified_products(self, query, limit, cursor):
        return workflow.certified_products(self.store, query, limit, cursor, self.today,
                                           trade.products_sold(self.promotions, query))

    @rpc
    def result_scope(self, evaluation_id):
        return workflow.result_scope(self.store, evaluation_id)

    @rpc
    def certificate_scope(self, code):
        return workflow.certificate_scope(self.store, code)

    @command
    def recognise(self, evaluation_id, payload):
        return workflow.recognise(self.store, self.evaluation, self.audit.caller, evaluation_id,
                                  load(RecognitionSchema(), payload), self.today)

    @command
    def revoke(self, code, payload):
        return workflow.revoke(self.store, self.audit.caller, code,
                               load(RevocationSchema(), payload), self.today)

    # Once a day is enough; more often costs one indexed query and changes nothing.
    @configured_timer("MILESTONE_SWEEP_SECONDS", 3600)
    def sweep_milestones(self):
        workflow.sweep(self.store, self.today)

    @handle_event("evaluation", "evaluation.completed")
    def on_evaluation_completed(self, event):
        workflow.on_evaluation_completed(self.store, event)

    @handle_event("evaluation", "evaluation.opened")
    def on_evaluation_opened(self, event):
        workflow.on_evaluation_opened(self.store, event)

    @handle_event("evaluation", "evaluation.rejected")
    def on_evaluation_rejected(self, event):
        workflow.on_evaluation_rejected(self.store, event)

    @handle_event("evaluation", "evaluation.approval_refused")
    def on_approval_refused(self, event):
        workflow.on_approval_refused(self.store, event)

    # Trade promotion (step 6): places, placements, withdrawal -----------------------------

    @command
    def record_point_of_sale(self, payload):
        return trade.record_point_of_sale(self.promotions, self.audit.caller,
                                          load(NewPointOfSaleSchema(), payload), self.today)

    @rpc
    def places(self, kind, query, limit, cursor):
        return trade.places(self.promotions, kind, query, limit, cursor)

    @rpc
    def place_scope(self, kind, place_id):
        return trade.place_scope(self.promotions, kind, place_id)

    @rpc
    def point_of_sale(self, point_of_sale_id):
        return trade.point_of_sale(self.promotions, point_of_sale_id)

    @command
    def carry(self, point_of_sale_id, payload):
        return trade.carry(self.promotions, self.audit.caller, point_of_sale_id,
                           load(PromotedProductSchema(), payload), self.today)

    @command
    def stop_carrying(self, point_of_sale_id, product_id):
        return trade.stop_carrying(self.promotions, point_of_sale_id, product_id)

    @command
    def record_fair(self, payload):
        return trade.record_fair(self.promotions, self.audit.caller,
                                 load(NewFairSchema(), payload))

    @rpc
    def fair(self, fair_id):
        return trade.fair(self.promotions, fair_id)

    @command
    def show_at_fair(self, fair_id, payload):
        return trade.show_at_fair(self.promotions, self.audit.caller, fair_id,
                                  load(PromotedProductSchema(), payload), self.today)

    @command
    def add_listing(self, product_id, payload):
        return trade.add_listing(self.promotions, self.audit.caller, product_id,
                                 load(NewListingSchema(), payload), self.today)

    @command
    def remove_listing(self, product_id, listing_id):
        return trade.remove_listing(self.promotions, product_id, listing_id)

    @rpc
    def product_places(self, product_id):
        return trade.product_places(self.promotions, product_id)

    # Its own events: a certificate that ends withdraws its product from promotion.
    @handle_event("certification", "certificate.revoked")
    def on_certificate_revoked(self, event):
        trade.withdraw(self.promotions, event, REVOKED)

    @handle_event("certification", "certificate.expired")
    def on_certificate_expired(self, event):
        trade.withdraw(self.promotions, event, EXPIRED)

    @handle_event("registration", "product.imported")
    def on_product_imported(self, event):
        imported.record(self.db, event)
