"""The API's blueprints: flask-smorest's, answering a bad query value 400 and a bad body 422.

A query string is part of the address the client asked for, so a value there that cannot be
read is a bad request (400), as a NUL character in one is (guards.py); a body that cannot be
used is unprocessable content (422). Either answer names each field. The status chosen here is
the one the OpenAPI document lists for the operation.
"""

import flask_smorest

QUERY_ERROR_STATUS = 400


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, *, location="json", **kwargs):
        if location == "query":
            kwargs.setdefault("error_status_code", QUERY_ERROR_STATUS)
        return super().arguments(schema, location=location, **kwargs)
