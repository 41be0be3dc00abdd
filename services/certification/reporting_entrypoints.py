"""Certification's entrypoints for plans and statistics (``reporting``), mixed into
``CertificationService``: the read model's event handlers, the plans' commands and the
reads."""
from chassis.audit import command
from chassis.handlers import handle_event
from chassis.rpc import rpc
from chassis.schemas import load
from chassis.timer import configured_timer
from services.certification import reporting, statistics_store
from services.certification.plan_schemas import ProvincePlanSchema, ReportSchema


def keeps_statistics(source, event_type):
    """A handler of its own queue for each event the read model takes: a failure of the
    statistics never holds back certification's own handling of the same event."""
    @handle_event(source, event_type)
    def handler(self, event):
        reporting.on_event(self.statistics_store, event)
    handler.__doc__ = f"The read model takes {source}'s {event_type}."
    return handler


class ReportingEntrypoints:
    @property
    def statistics_store(self):
        return statistics_store.StatisticsStore(self.db)

    @rpc
    def province_plan(self, province_code, year):
        return reporting.plan_view(reporting.plan_or_404(self.statistics_store, province_code,
                                                         year))

    @rpc
    def plan_progress(self, province_code, year):
        return reporting.progress(self.statistics_store, province_code, year, self.today)

    @rpc
    def statistics(self, province_code):
        return reporting.figures(self.statistics_store, province_code, self.today)

    # The country's figures counted before anyone asks: on start, and on a new day, their
    # first read would count all 34 provinces (5–17 s on the stand-in), longer than the
    # gateway waits. Counted again only where an event changed a province since.
    @configured_timer("STATISTICS_COUNT_SECONDS", 600)
    def count_statistics(self):
        reporting.figures(self.statistics_store, None, self.today)

    @command
    def record_plan(self, province_code, year, payload, expected_revision):
        return reporting.record_plan(self.statistics_store, self.audit.caller, province_code,
                                     year, load(ProvincePlanSchema(), payload),
                                     expected_revision)

    @command
    def report_figure(self, province_code, year, payload):
        return reporting.record_report(self.statistics_store, self.audit.caller,
                                       province_code, year, load(ReportSchema(), payload),
                                       self.today)

    tally_certificate_issued = keeps_statistics("certification", "certificate.issued")
    tally_certificate_superseded = keeps_statistics("certification", "certificate.superseded")
    tally_certificate_revoked = keeps_statistics("certification", "certificate.revoked")
    tally_certificate_expired = keeps_statistics("certification", "certificate.expired")
    tally_product_imported = keeps_statistics("registration", "product.imported")
    tally_dossier_submitted = keeps_statistics("registration", "dossier.submitted")
    tally_dossier_returned = keeps_statistics("registration", "dossier.returned")
    tally_dossier_forwarded = keeps_statistics("registration", "dossier.forwarded")
    tally_product_submitted = keeps_statistics("registration", "product.submitted")
    tally_plan_supported = keeps_statistics("registration", "plan.supported")
    tally_evaluation_opened = keeps_statistics("evaluation", "evaluation.opened")
    tally_evaluation_forwarded = keeps_statistics("evaluation", "evaluation.forwarded")
    tally_evaluation_rejected = keeps_statistics("evaluation", "evaluation.rejected")
    tally_evaluation_completed = keeps_statistics("evaluation", "evaluation.completed")
