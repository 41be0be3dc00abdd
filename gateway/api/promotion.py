"""Trade promotion (step 6): points of sale and showrooms, fairs, e-commerce listings of
certified products — the certification service's operations (``services/certification/
trade.py``)."""
from gateway.api import API
from gateway.routes import filters_asked, operation, paging
from services.certification.schemas import FairSchema, ListingSchema, NewFairSchema, \
    NewListingSchema, NewPointOfSaleSchema, PointOfSaleSchema, ProductPlacesSchema, \
    PromotedProductSchema

POINT_OF_SALE = f"{API}/points-of-sale/<string:point_of_sale_id>"
FAIR = f"{API}/fairs/<string:fair_id>"
LISTINGS = f"{API}/products/<string:product_id>/listings"
PROVINCE = ("Mã tỉnh, thành phố (2 chữ số) / Province code (2 digits)",
            {"type": "string", "pattern": r"^\d{2}$"})
OUTLET_FILTERS = {"province": PROVINCE, "kind": (
    "point_of_sale (điểm bán) hoặc showroom (điểm trưng bày) / point_of_sale or showroom",
    {"type": "string", "enum": ["point_of_sale", "showroom"]})}
FAIR_FILTERS = {"province": PROVINCE}


class PromotionApi:
    # Points of sale and showrooms -------------------------------------------------------

    @operation("POST", f"{API}/points-of-sale", "Ghi nhận điểm bán, điểm trưng bày sản phẩm "
               "OCOP / Record a point of sale or showroom of OCOP products", "promotion",
               status=201, body=NewPointOfSaleSchema, response=PointOfSaleSchema)
    def record_point_of_sale(self, request, body):
        return self.certification.record_point_of_sale(body)

    @operation("GET", f"{API}/points-of-sale", "Điểm bán, điểm trưng bày sản phẩm OCOP (công "
               "khai) / Points of sale and showrooms (public)", "promotion",
               response=PointOfSaleSchema, paged=True, optional_query=OUTLET_FILTERS)
    def list_points_of_sale(self, request):
        return self.certification.places("point_of_sale",
                                         filters_asked(request, OUTLET_FILTERS),
                                         **paging(request))

    @operation("GET", POINT_OF_SALE, "Điểm bán và sản phẩm OCOP đang bày bán (công khai) / A "
               "point of sale and the certified products it carries (public)", "promotion",
               response=PointOfSaleSchema)
    def get_point_of_sale(self, request, point_of_sale_id):
        return self.certification.point_of_sale(point_of_sale_id)

    @operation("POST", f"{POINT_OF_SALE}/products", "Đưa sản phẩm OCOP vào điểm bán / Carry "
               "a certified product at a point of sale", "promotion",
               body=PromotedProductSchema, response=PointOfSaleSchema)
    def carry_product(self, request, body, point_of_sale_id):
        return self.certification.carry(point_of_sale_id, body)

    @operation("DELETE", f"{POINT_OF_SALE}/products/<string:product_id>", "Thôi bày bán sản "
               "phẩm tại điểm bán / Stop carrying a product at a point of sale", "promotion",
               response=PointOfSaleSchema)
    def stop_carrying_product(self, request, point_of_sale_id, product_id):
        return self.certification.stop_carrying(point_of_sale_id, product_id)

    # Fairs and trade events --------------------------------------------------------------

    @operation("POST", f"{API}/fairs", "Ghi nhận hội chợ, sự kiện xúc tiến thương mại / "
               "Record a fair or trade event", "promotion", status=201, body=NewFairSchema,
               response=FairSchema)
    def record_fair(self, request, body):
        return self.certification.record_fair(body)

    @operation("GET", f"{API}/fairs", "Hội chợ, sự kiện xúc tiến thương mại (công khai) / "
               "Fairs and trade events (public)", "promotion", response=FairSchema,
               paged=True, optional_query=FAIR_FILTERS)
    def list_fairs(self, request):
        return self.certification.places("fair", filters_asked(request, FAIR_FILTERS),
                                         **paging(request))

    @operation("GET", FAIR, "Hội chợ, sản phẩm OCOP trưng bày và chủ thể tham gia (công "
               "khai) / A fair, the certified products shown and the producers taking part "
               "(public)", "promotion", response=FairSchema)
    def get_fair(self, request, fair_id):
        return self.certification.fair(fair_id)

    @operation("POST", f"{FAIR}/products", "Trưng bày sản phẩm OCOP tại hội chợ / Show a "
               "certified product at a fair", "promotion", body=PromotedProductSchema,
               response=FairSchema)
    def show_product_at_fair(self, request, body, fair_id):
        return self.certification.show_at_fair(fair_id, body)

    # E-commerce listings and where a product is sold ------------------------------------

    @operation("POST", LISTINGS, "Ghi nhận gian hàng trên sàn thương mại điện tử / Record a "
               "certified product's e-commerce listing", "promotion", status=201,
               body=NewListingSchema, response=ListingSchema)
    def add_listing(self, request, body, product_id):
        return self.certification.add_listing(product_id, body)

    @operation("DELETE", f"{LISTINGS}/<string:listing_id>", "Gỡ gian hàng trên sàn thương "
               "mại điện tử / Remove an e-commerce listing", "promotion",
               response=ProductPlacesSchema)
    def remove_listing(self, request, product_id, listing_id):
        return self.certification.remove_listing(product_id, listing_id)

    @operation("GET", f"{API}/certified-products/<string:product_id>/places", "Nơi bán sản "
               "phẩm OCOP (công khai) / Where a certified product is sold (public)",
               "promotion", response=ProductPlacesSchema)
    def product_places(self, request, product_id):
        return self.certification.product_places(product_id)
