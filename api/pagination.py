"""Page-number pagination with a client-chosen page size (bounded)."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_schema_operation_parameters(self, view):
        # The bounds the paginator applies, in the schema: a page below 1 or beyond the last is
        # a 404 (documented on every list by api.schema.document_common_errors).
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] |= bounds.get(parameter["name"], {})
        return parameters
