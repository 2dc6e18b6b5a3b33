# Generated from schema/openapi.yaml by codegen/render.py. Do not edit: change the spec or a
# template under codegen/ and run `make generate`.
from typing import Literal

ErrorDetailType = Literal["invalid_request_error", "server_error"]

ERROR_DETAIL_TYPE_VALUES: set[ErrorDetailType] = {
    "invalid_request_error",
    "server_error",
}


def check_error_detail_type(value: str) -> ErrorDetailType:
    if value in ERROR_DETAIL_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ERROR_DETAIL_TYPE_VALUES!r}"
    )
